"""The control plane: SQLAlchemy models, repositories and Alembic migrations."""
