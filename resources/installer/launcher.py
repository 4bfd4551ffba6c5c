"""Entry point of the bundled executables: `cdht` runs the command line, `cdht-gui` the desktop app.

Both executables are built from this one script and share one folder of libraries; the executable's
own name decides which program starts.
"""

from __future__ import annotations

import sys
from pathlib import Path


def main() -> None:
    import multiprocessing

    multiprocessing.freeze_support()  # a worker process of the bundled app starts here, and only works
    if Path(sys.executable).stem.lower().endswith("-gui"):
        from ui.main import main as gui_main

        raise SystemExit(gui_main())
    from app.cli import entry_point

    entry_point()


if __name__ == "__main__":
    main()
