"""`python -m app` runs the `cdht` command line."""

from app.cli import entry_point

entry_point()
