"""`Changes`: what one use case touched, so that each window refreshes only that (Anki's OpChanges).

Every mutating service returns one; the UI's `AppContext.changes_applied` broadcasts it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Changes:
    """What a mutation touched; panels refresh only what is flagged."""

    profile: bool = False
    settings: bool = False
    years: bool = False
    indicators: bool = False
    checklist: bool = False
    evidence: bool = False
    assignments: bool = False
    recognitions: bool = False
    documents: bool = False

    def __or__(self, other: Changes) -> Changes:
        return Changes(**{f.name: getattr(self, f.name) or getattr(other, f.name) for f in fields(self)})

    def any(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))

    def names(self) -> list[str]:
        """The flagged areas, e.g. ['indicators', 'checklist'] (what `--json` outputs print)."""
        return [f.name for f in fields(self) if getattr(self, f.name)]
