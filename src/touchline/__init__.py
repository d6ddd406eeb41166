"""Touchline: self-hosted marketing attribution."""

__version__ = "0.1.0"
