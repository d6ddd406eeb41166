"""In-process background work: the loader thread and scheduled jobs."""
