"""Typed SQLAlchemy models, one module per aggregate."""
