"""The one query layer over the event plane, shared by the API, MCP, dashboard, reports and CLI."""
