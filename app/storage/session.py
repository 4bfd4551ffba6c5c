"""The session on one database file: its connection, the lock around it, units of work and the audit log.

Threading: one connection, guarded by `Session.lock`; the UI calls the services from its single database worker
thread. Every change runs in one `transaction()` together with its `audit()` rows. The commune's workspace and the
recipient's register are both sessions (`app.storage.workspace`, `app.recipient.workspace`).
"""

from __future__ import annotations

import getpass
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from app.changes import Changes
from app.domain.records import AuditEntry
from app.errors import ReadOnlyError
from app.storage.connection import Database
from app.text import nfc, utc_now


def login_name() -> str:
    """The operating system's name of the person at the computer (for the audit log)."""
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name on some Windows setups
        return "người dùng"


class Session:
    """One open database: connection, lock, transactions with audit rows, and the key-value settings table."""

    #: Opened with `read_only=True` (a full or read-only drive): every write is refused with `read_only_reason`.
    read_only = False
    read_only_reason = "Dữ liệu đang mở ở chế độ chỉ đọc; không ghi được. Không có gì được ghi."
    #: True once `close` ran: work queued for later (a window's deferred start-up) then does nothing.
    closed = False

    def __init__(self, db: Database, path: Path, user: str | None = None) -> None:
        self.db = db
        self.path = path
        self.lock = threading.RLock()
        self._txn: int | None = None
        self.user: str = user or self.get_setting("user_name") or login_name()

    def close(self) -> None:
        with self.lock:
            self.db.close()
            self.closed = True

    @property
    def data_dir(self) -> Path:
        """The folder that holds the database and, beside it, the files it refers to."""
        return self.path.parent

    # ------------------------------------------------------------------ transactions and audit

    @contextmanager
    def transaction(self, continues: str | None = None) -> Iterator[Database]:
        """One atomic unit of work; nested calls become savepoints.

        The audit rows of one outermost transaction share a transaction number (`audit_log.txn`), so that
        one user action can be recognised (and undone) as a whole. `continues` (an audit key prefix such as
        '5.1/') makes this transaction part of the previous one when the newest audit row has that prefix:
        a burst of typing saved in several writes is then one action.
        """
        with self.lock:
            if self.read_only:  # a full or read-only drive: refused with the reason, before anything runs
                raise ReadOnlyError(self.read_only_reason)
            outermost = not self.db.conn.in_transaction
            with self.db.atomic():
                if outermost:
                    self._txn = self._continued_txn(continues) if continues else self._next_txn()
                try:
                    yield self.db
                finally:
                    if outermost:
                        self._txn = None

    def _next_txn(self) -> int:
        return int(self.db.execute("SELECT COALESCE(MAX(txn), 0) + 1 FROM audit_log").fetchone()[0])

    def _continued_txn(self, key_prefix: str) -> int:
        row = self.db.execute("SELECT txn, entity, entity_key FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
        if row and row[1] == "indicator_value" and row[2].startswith(key_prefix):
            return int(row[0])
        return self._next_txn()

    def audit(self, action: str, entity: str, key: str = "", year: int | None = None,
              old: Any = None, new: Any = None) -> None:
        """Append one audit row; call inside the transaction of the change it records."""
        txn = getattr(self, "_txn", None) or self._next_txn()
        self.db.execute(
            "INSERT INTO audit_log (txn, at, user, action, entity, entity_key, year, old, new) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [txn, utc_now(), self.user, action, entity, key, year,
             None if old is None else json.dumps(old, ensure_ascii=False),
             None if new is None else json.dumps(new, ensure_ascii=False)],
        )

    def audit_entries(self, entity: str | tuple[str, ...] | None = None, key_prefix: str | None = None,
                      year: int | None = None, limit: int | None = 500, oldest_first: bool = False,
                      after_id: int | None = None) -> list[AuditEntry]:
        """Audit rows, newest first (or oldest first), optionally for some entities, a key prefix (e.g. '1.2/'),
        a year, or only the rows written after audit row `after_id` (read by rowid: cheap however long the log)."""
        where: list[str] = []
        params: list[Any] = []
        if after_id is not None:
            where.append("id > ?")
            params.append(after_id)
        if entity:
            entities = (entity,) if isinstance(entity, str) else tuple(entity)
            where.append(f"entity IN ({', '.join('?' * len(entities))})")
            params.extend(entities)
        if key_prefix:  # a key range, so that the (entity, entity_key) index serves it
            where.append("entity_key >= ? AND entity_key < ?")
            params.extend([key_prefix, key_prefix[:-1] + chr(ord(key_prefix[-1]) + 1)])
        if year is not None:
            where.append("year = ?")
            params.append(year)
        sql = "SELECT id, txn, at, user, action, entity, entity_key, year, old, new FROM audit_log"
        if after_id is not None:
            sql += " NOT INDEXED"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY id " + ("ASC" if oldest_first else "DESC") + " LIMIT ?"
        with self.lock:
            cursor = self.db.execute(sql, params + [-1 if limit is None else limit])
            names = [d[0] for d in cursor.description]
            rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        return [
            AuditEntry(r["id"], r["txn"], r["at"], r["user"], r["action"], r["entity"], r["entity_key"], r["year"],
                       None if r["old"] is None else json.loads(r["old"]),
                       None if r["new"] is None else json.loads(r["new"]))
            for r in rows
        ]

    # ------------------------------------------------------------------ settings

    def get_setting(self, key: str, default: Any = None) -> Any:
        with self.lock:
            row = self.db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
        return default if row is None else json.loads(row[0])

    def write_setting(self, key: str, value: Any) -> Changes:
        """Store one setting as it is (audited; None is stored as null). Checking the value is the caller's job:
        the use cases in `app.services.settings` know what each setting may hold."""
        value = nfc(value) if isinstance(value, str) else value
        with self.transaction():
            old = self.get_setting(key)
            if old == value:
                return Changes()
            self.db.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [key, json.dumps(value, ensure_ascii=False)],
            )
            self.audit("update", "settings", key, None, old, value)
        if key == "user_name" and value:
            self.user = value
        return Changes(settings=True)
