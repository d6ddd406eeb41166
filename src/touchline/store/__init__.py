"""The event plane: store interface, DuckDB and ClickHouse engines, dialect, schema."""
