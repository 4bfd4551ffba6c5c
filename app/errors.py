"""Errors the core raises with a message fit to show a commune official (Vietnamese, no traceback)."""

from __future__ import annotations


class CdhtError(Exception):
    """Base of every error whose message is meant for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InputError(CdhtError):
    """Bad input from a file, a form or the command line; nothing was written."""


class CatalogueError(CdhtError):
    """The criteria catalogue file is malformed."""


class StorageError(CdhtError):
    """The database cannot be opened, upgraded or written."""


class NotFoundError(CdhtError):
    """Something the user named does not exist (a year, an indicator, a unit)."""


class LockedError(CdhtError):
    """The assessment year is finalized (chốt hồ sơ) and cannot be changed."""


class CancelledError(CdhtError):
    """The user cancelled a long operation."""

    def __init__(self, message: str = "Đã hủy theo yêu cầu của người dùng.") -> None:
        super().__init__(message)
