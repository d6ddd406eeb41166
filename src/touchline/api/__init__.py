"""REST API v1 (routes, auth, rate limits, pagination)."""
