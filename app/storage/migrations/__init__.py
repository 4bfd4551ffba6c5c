"""Ordered schema migrations, one module each: `mNNNN_what.py` defining `upgrade(db)`.

Migration N brings the schema from version N-1 to N. Never edit a released migration; add a new one.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.storage.connection import Database

_NAME = re.compile(r"^m(\d{4})_\w+$")


def discover(package: str, path: list[str]) -> list[Callable[[Database], None]]:
    """The migrations `mNNNN_what.py` of a package (its `__name__` and `__path__`), numbered 1..N without gaps.

    The commune database uses this package's chain; the recipient's database has a chain of its own.
    """
    found: dict[int, Callable[[Database], None]] = {}
    for info in pkgutil.iter_modules(path):
        match = _NAME.match(info.name)
        if not match:
            continue
        module = importlib.import_module(f"{package}.{info.name}")
        number = int(match.group(1))
        if number in found:
            raise RuntimeError(f"two migrations numbered {number}")
        step = module.upgrade
        step.__doc__ = module.__doc__.strip().splitlines()[0] if module.__doc__ else info.name
        found[number] = step
    numbers = sorted(found)
    if numbers != list(range(1, len(numbers) + 1)):
        raise RuntimeError(f"migrations must be numbered 1..N without gaps, found {numbers}")
    return [found[n] for n in numbers]


MIGRATIONS: list[Callable[[Database], None]] = discover(__name__, __path__)
SCHEMA_VERSION = len(MIGRATIONS)
