"""`python -m touchline` runs the CLI."""

from touchline.cli.main import main

main()
