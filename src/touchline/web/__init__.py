"""Dashboard and static files (the tracker script)."""
