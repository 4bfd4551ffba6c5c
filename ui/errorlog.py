"""Technical details of unexpected errors go to a log file in the data folder, never on screen."""

from __future__ import annotations

import datetime as dt
import traceback

from app.paths import default_data_dir


def log_exception(error: BaseException) -> None:
    text = getattr(error, "__cdht_traceback__", None) or "".join(
        traceback.format_exception(type(error), error, error.__traceback__)
    )
    try:
        folder = default_data_dir() / "logs"
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / "cdht-errors.log").open("a", encoding="utf-8") as handle:
            handle.write(f"--- {dt.datetime.now().isoformat(timespec='seconds')}\n{text}\n")
    except OSError:
        pass
