"""The app's thin layer over one sqlite3 connection: autocommit outside transactions, nested savepoints.

This is what the app used of sqlite-utils, without its start-up cost (sqlite-utils pulls in click, dateutil
and pluggy: some 40 ms before the window could paint).
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

_SAVEPOINTS = itertools.count(1)


class Database:
    """The app's thin layer over one sqlite3 connection (what it used of sqlite-utils, without its start-up
    cost): a statement outside a transaction commits by itself; `atomic()` is one transaction, and a nested
    `atomic()` is a savepoint inside it."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        conn.isolation_level = None  # no implicit transactions: BEGIN/COMMIT only where atomic() says so
        self.conn = conn
        self.conn.execute("PRAGMA recursive_triggers = ON")

    def execute(self, sql: str, parameters: Sequence[Any] | dict[str, Any] | None = None) -> sqlite3.Cursor:
        return self.conn.execute(sql) if parameters is None else self.conn.execute(sql, parameters)

    @contextmanager
    def atomic(self) -> Iterator[Database]:
        """All statements inside commit together or not at all (nested: a savepoint)."""
        if self.conn.in_transaction:
            savepoint = f"sp_{next(_SAVEPOINTS)}"
            self.conn.execute(f"SAVEPOINT {savepoint}")
            try:
                yield self
            except BaseException:
                if self.conn.in_transaction:  # a RAISE(ROLLBACK) may already have ended the transaction
                    self.conn.execute(f"ROLLBACK TO SAVEPOINT {savepoint}")
                    self.conn.execute(f"RELEASE SAVEPOINT {savepoint}")
                raise
            self.conn.execute(f"RELEASE SAVEPOINT {savepoint}")
            return
        self.conn.execute("BEGIN")
        try:
            yield self
            self.conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise

    def table_names(self) -> list[str]:
        return [row[0] for row in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]

    def close(self) -> None:
        self.conn.close()
