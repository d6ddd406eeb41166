"""REST API v1 (`/api/v1/...`): thin routes over `analytics/`, with the spec's key auth,
scopes, rate limits, error envelope and OpenAPI 3.1 document."""
