"""The e-mail outbox against a real SMTP server on 127.0.0.1 (aiosmtpd), including the server being down."""

from __future__ import annotations

import datetime as dt
import email
import shutil
import socket
from email import policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from app.dossier.outbox import MailSettings, flush_outbox, outbox_messages, queue_package, save_mail_settings
from app.dossier.verify import verify_package
from app.errors import InputError
from app.services.workspace import Workspace

RECIPIENT = "phong-gddt@so-gd.example.vn"


class Inbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
        self.messages.append(envelope.content)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def ws(built, tmp_path):
    shutil.copytree(built.folder, tmp_path / "xa")
    workspace = Workspace.open(tmp_path / "xa" / "cdht.sqlite3")
    yield workspace
    workspace.close()


def test_queue_send_when_server_returns_never_twice_and_parts_verify(ws, built, tmp_path):
    port = free_port()
    save_mail_settings(ws, MailSettings(host="127.0.0.1", port=port, security="none", sender="ubnd@dongtien.example.vn",
                                        max_attachment_bytes=400_000))
    now = dt.datetime.now(dt.UTC)
    messages = queue_package(ws, built.package, RECIPIENT, now=now)
    count = len(messages)
    assert count >= 2 and {m.state for m in messages} == {"queued"}
    assert len({m.message_id for m in messages}) == count
    assert all(built.uuid in m.message_id and f".v{built.version}." in m.message_id for m in messages)
    assert queue_package(ws, built.package, RECIPIENT) == messages  # queueing again adds nothing

    down = flush_outbox(ws, now=now, timeout=3)
    assert down.sent == 0 and down.retrying == count and "không kết nối được" in down.error
    waiting = outbox_messages(ws)
    assert {m.attempts for m in waiting} == {1} and all(m.next_try_at > now.isoformat(timespec="seconds") for m in waiting)
    assert flush_outbox(ws, now=now + dt.timedelta(seconds=10)).retrying == 0  # backoff: not due yet

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        later = now + dt.timedelta(minutes=5)
        result = flush_outbox(ws, now=later)
        assert result.sent == count and result.retrying == 0 and not result.error
        assert flush_outbox(ws, now=later + dt.timedelta(hours=2)).sent == 0
        queue_package(ws, built.package, RECIPIENT)
        assert flush_outbox(ws, now=later + dt.timedelta(hours=3)).sent == 0
    finally:
        controller.stop()
    assert len(inbox.messages) == count
    assert {m.state for m in outbox_messages(ws)} == {"sent"}

    received = tmp_path / "nhan"
    received.mkdir()
    ids = set()
    for raw in inbox.messages:
        mail = email.message_from_bytes(raw, policy=policy.default)
        ids.add(mail["Message-ID"])
        assert "xã Đồng Tiến" in mail["Subject"]
        for attachment in mail.iter_attachments():
            (received / attachment.get_filename()).write_bytes(attachment.get_content())
    assert ids == {m.message_id for m in messages}
    manifest = next(received.glob("*.parts.json"))
    report = verify_package(manifest)
    assert report.ok, report.summary()


def test_permanent_refusal_is_failed_not_retried(ws, built):
    class Refusing:
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
            return "550 Không có hộp thư này"

    port = free_port()
    save_mail_settings(ws, MailSettings(host="127.0.0.1", port=port, security="none", sender="ubnd@dongtien.example.vn"))
    queue_package(ws, built.package, "khong-co@so-gd.example.vn")
    controller = Controller(Refusing(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        result = flush_outbox(ws)
    finally:
        controller.stop()
    assert result.failed == 1 and result.sent == 0
    message = outbox_messages(ws)[0]
    assert message.state == "failed" and "550" in message.last_error


def test_bad_settings_and_addresses_are_refused(ws, built, tmp_path):
    with pytest.raises(InputError, match="Cổng"):
        save_mail_settings(ws, MailSettings(host="smtp.example.vn", port=0))
    with pytest.raises(InputError, match="người nhận"):
        queue_package(ws, built.package, "khong-phai-dia-chi")
    with pytest.raises(InputError, match="Không tìm thấy gói"):
        queue_package(ws, tmp_path / "khong-co.zip", RECIPIENT)
    assert "password" not in {c[1] for c in ws.db.execute("PRAGMA table_info(mail_settings)").fetchall()}


def test_password_is_never_written_to_the_database(ws, built):
    port = free_port()
    save_mail_settings(ws, MailSettings(host="127.0.0.1", port=port, security="none", username="van.thu",
                                        sender="ubnd@dongtien.example.vn"))
    queue_package(ws, built.package, RECIPIENT)
    result = flush_outbox(ws, password="mat-khau-bi-mat", timeout=2)
    assert result.retrying >= 1
    ws.db.execute("PRAGMA wal_checkpoint(FULL)")
    raw = b"".join(p.read_bytes() for p in Path(ws.path).parent.glob("cdht.sqlite3*"))
    assert b"mat-khau-bi-mat" not in raw
