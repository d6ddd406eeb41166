"""Connectors: one package per provider (webhooks, API clients, file importers, mappings).
They hand events to the ingest path and never write tables."""
