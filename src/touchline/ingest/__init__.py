"""The ingest path: collect protocol, enrichment steps, durable spool and loader."""
