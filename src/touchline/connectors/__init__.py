"""Provider connectors; each hands events to ingest, never to the store."""
