"""`python -m app` runs the `cdht` command line."""

from app.cli import entry_point

if __name__ == "__main__":  # not when a worker process of the app imports the main module again
    entry_point()
