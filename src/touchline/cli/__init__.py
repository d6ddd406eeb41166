"""Command-line interface (Typer): one module per verb group."""
