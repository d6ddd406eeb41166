"""Enrichment steps: user agent, geo, URL, referrer, bots."""
