"""The e-mail outbox against a real SMTP server on 127.0.0.1 (aiosmtpd): the server down, refusing, dropping the
connection after the data, answering too late, failing only the goodbye; a send killed half-way; the package
exported again while parts are queued. Every part arrives at least once, the parts the recipient saved
(duplicates included) reassemble into a package that verifies, and nothing is left stuck in "Đang gửi"."""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import hashlib
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from email import policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

from app.dossier.outbox import (
    MailSettings,
    flush_outbox,
    outbox_messages,
    queue_package,
    requeue_failed,
    save_mail_settings,
)
from app.dossier.verify import verify_package
from app.errors import InputError
from app.storage.workspace import Workspace

RECIPIENT = "phong-gddt@so-gd.example.vn"
ROOT = Path(__file__).resolve().parents[2]


class Inbox:
    """Keeps every message it accepts; can drop the connection after the data, or answer late."""

    def __init__(self, drop_after_data: int = 0, delay: float = 0.0, slow: int = 0, accept: int | None = None) -> None:
        self.messages: list[bytes] = []
        self.drop_after_data, self.delay, self.slow, self.accept = drop_after_data, delay, slow, accept

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
        if self.accept is not None and len(self.messages) >= self.accept:
            return "451 Hệ thống bận, thử lại sau"
        self.messages.append(envelope.content)  # the message is delivered…
        if self.drop_after_data:
            self.drop_after_data -= 1
            server.transport.abort()  # …but the client never hears "250"
            return "250 OK"
        if self.slow:
            self.slow -= 1
            await asyncio.sleep(self.delay)  # …and "250" comes after the client stopped waiting
        return "250 OK"


class QuitFails(SMTP):
    """A server that accepts every message but drops the connection on QUIT."""

    async def smtp_QUIT(self, arg):  # noqa: N802 - aiosmtpd command hook
        self.transport.abort()


class QuitFailingController(Controller):
    def factory(self):
        return QuitFails(self.handler, **self.SMTP_kwargs)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A local SMTP server started and stopped around a block."""

    def __init__(self, port: int, inbox: Inbox, controller=Controller) -> None:
        self.controller = controller(inbox, hostname="127.0.0.1", port=port)
        self.inbox = inbox

    def __enter__(self) -> Inbox:
        self.controller.start()
        return self.inbox

    def __exit__(self, *exc) -> None:
        self.controller.stop()


@pytest.fixture
def ws(built, tmp_path):
    shutil.copytree(built.folder, tmp_path / "xa")
    workspace = Workspace.open(tmp_path / "xa" / "cdht.sqlite3")
    yield workspace
    workspace.close()


def configure(ws, port: int, max_bytes: int = 400_000) -> None:
    save_mail_settings(ws, MailSettings(host="127.0.0.1", port=port, security="none", sender="ubnd@dongtien.example.vn",
                                        max_attachment_bytes=max_bytes))


def save_attachments(raw_messages: list[bytes], folder: Path) -> dict[str, int]:
    """Save every attachment as a browser would: a second copy of a name gets ' (1)' before its extension."""
    folder.mkdir(parents=True, exist_ok=True)
    copies: dict[str, int] = {}
    for raw in raw_messages:
        mail = email.message_from_bytes(raw, policy=policy.default)
        for attachment in mail.iter_attachments():
            name = attachment.get_filename()
            copies[name] = copies.get(name, 0) + 1
            target = folder / name
            if target.exists():
                stem, _, extension = name.rpartition(".")
                target = folder / f"{stem} ({copies[name] - 1}).{extension}"
            target.write_bytes(attachment.get_content())
    return copies


def assert_reassembles(raw_messages: list[bytes], folder: Path, package_sha256: str | None = None) -> None:
    save_attachments(raw_messages, folder)
    manifest = next(p for p in folder.glob("*.parts.json"))
    report = verify_package(manifest)
    assert report.ok, report.summary()
    assert report.checks[0].title == "Ghép các phần" and report.checks[0].status == "ok", report.checks[0].line()
    if package_sha256:
        assert package_sha256 in manifest.read_text()


def nothing_stuck(ws) -> None:
    assert not [m for m in outbox_messages(ws) if m.state == "sending"]


# ---------------------------------------------------------------------------------------------- basics


def test_queue_send_when_server_returns_parts_carry_their_identity_and_verify(ws, built, tmp_path):
    port = free_port()
    configure(ws, port)
    now = dt.datetime.now(dt.UTC)
    queued = queue_package(ws, built.package, RECIPIENT, now=now)
    messages = queued.messages
    count = len(messages)
    assert count >= 2 and queued.added == count and {m.state for m in messages} == {"queued"}
    assert len({m.message_id for m in messages}) == count
    assert all(built.uuid in m.message_id and f".v{built.version}." in m.message_id for m in messages)
    again = queue_package(ws, built.package, RECIPIENT)
    assert again.messages == messages and again.added == 0 and "không xếp thêm" in again.describe()
    assert Path(messages[0].attachment_path).parent.name.startswith(f"{built.uuid}-v{built.version}-")

    down = flush_outbox(ws, now=now, timeout=3)
    assert down.sent == 0 and down.retrying == count and "không kết nối được" in down.error
    assert "Thư vẫn nằm trong hộp thư đi" in down.describe()
    waiting = outbox_messages(ws)
    assert {m.attempts for m in waiting} == {1} and all(m.next_try_at > now.isoformat(timespec="seconds") for m in waiting)
    not_yet = flush_outbox(ws, now=now + dt.timedelta(seconds=10))
    assert not_yet.retrying == 0 and not_yet.describe().startswith("Không có thư nào đến lượt gửi")
    assert f"{count} thư đang chờ" in not_yet.describe()

    with Server(port, Inbox()) as inbox:
        later = now + dt.timedelta(minutes=5)
        result = flush_outbox(ws, now=later)
        assert result.sent == count and result.retrying == 0 and not result.error
        assert "hộp thư đi không còn thư chờ" in result.describe()
        assert flush_outbox(ws, now=later + dt.timedelta(hours=2)).sent == 0
        queue_package(ws, built.package, RECIPIENT)
        assert flush_outbox(ws, now=later + dt.timedelta(hours=3)).sent == 0
    assert len(inbox.messages) == count
    assert {m.state for m in outbox_messages(ws)} == {"sent"}

    package_sha = hashlib.sha256(built.package.read_bytes()).hexdigest()
    for raw in inbox.messages:
        mail = email.message_from_bytes(raw, policy=policy.default)
        assert "xã Đồng Tiến" in mail["Subject"]
        assert mail["X-CDHT-Package-UUID"] == built.uuid and mail["X-CDHT-Package-Version"] == str(built.version)
        assert mail["X-CDHT-Part-Count"] == str(count) and mail["X-CDHT-Package-SHA256"].strip() == package_sha
        part = next(a for a in mail.iter_attachments() if not a.get_filename().endswith(".json"))
        assert hashlib.sha256(part.get_content()).hexdigest() == mail["X-CDHT-Part-SHA256"].strip()
        assert part.get_filename().endswith(f".{int(mail['X-CDHT-Part-Number']):03d}")
    assert_reassembles(inbox.messages, tmp_path / "nhan", package_sha)


def test_permanent_refusal_is_failed_and_can_be_requeued_from_the_same_bytes(ws, built):
    class Refusing:
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
            return "550 Không có hộp thư này"

    port = free_port()
    configure(ws, port, 20_000_000)
    queue_package(ws, built.package, "khong-co@so-gd.example.vn")
    with Server(port, Refusing()):
        result = flush_outbox(ws)
    assert result.failed == 1 and result.sent == 0
    message = outbox_messages(ws)[0]
    assert message.state == "failed" and "550" in message.last_error
    assert requeue_failed(ws) == 1 and outbox_messages(ws)[0].state == "queued"
    with Server(port, Inbox()) as inbox:
        assert flush_outbox(ws).sent == 1
    assert len(inbox.messages) == 1
    Path(message.attachment_path).write_bytes(b"damaged")
    with ws.transaction():
        ws.db.execute("UPDATE outbox SET state = 'failed'")
    with pytest.raises(InputError, match="bị thiếu hoặc bị hỏng"):
        requeue_failed(ws, [message.id])


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


# ---------------------------------------------------------------------------------------------- failure suite


def test_connection_dropped_after_the_data_duplicates_are_harmless(ws, built, tmp_path):
    port = free_port()
    configure(ws, port)
    count = len(queue_package(ws, built.package, RECIPIENT).messages)
    now = dt.datetime.now(dt.UTC)
    with Server(port, Inbox(drop_after_data=1)) as inbox:
        first = flush_outbox(ws, now=now, timeout=5)
        assert first.sent == 0 and first.retrying == 1 and "ngắt kết nối" in first.error
        nothing_stuck(ws)
        second = flush_outbox(ws, now=now + dt.timedelta(minutes=2), timeout=5)
    assert first.sent + second.sent == count and second.retrying == 0
    assert len(inbox.messages) == count + 1  # part 1 arrived twice: SMTP is at-least-once
    assert {m.state for m in outbox_messages(ws)} == {"sent"}
    assert_reassembles(inbox.messages, tmp_path / "nhan")
    assert list((tmp_path / "nhan").glob("* (1).001"))  # the duplicate was saved, and ignored


def test_a_reply_after_the_timeout_is_retried_and_the_duplicate_is_harmless(ws, built, tmp_path):
    port = free_port()
    configure(ws, port)
    count = len(queue_package(ws, built.package, RECIPIENT).messages)
    now = dt.datetime.now(dt.UTC)
    with Server(port, Inbox(delay=3.0, slow=1)) as inbox:
        first = flush_outbox(ws, now=now, timeout=1)
        assert first.retrying == 1 and "không trả lời kịp" in first.error
        nothing_stuck(ws)
        time.sleep(2.5)  # the server finishes taking the slow message
        flush_outbox(ws, now=now + dt.timedelta(minutes=2), timeout=5)
    assert {m.state for m in outbox_messages(ws)} == {"sent"}
    assert len(inbox.messages) == count + 1
    assert_reassembles(inbox.messages, tmp_path / "nhan")


def test_accepted_data_is_never_resent_when_only_quit_fails(ws, built, tmp_path):
    port = free_port()
    configure(ws, port)
    count = len(queue_package(ws, built.package, RECIPIENT).messages)
    with Server(port, Inbox(), QuitFailingController) as inbox:
        result = flush_outbox(ws, timeout=5)
        assert result.sent == count and not result.error
        later = flush_outbox(ws, now=dt.datetime.now(dt.UTC) + dt.timedelta(hours=2), timeout=5)
    assert later.sent == 0 and later.describe().startswith("Không có thư nào đến lượt gửi")
    assert len(inbox.messages) == count


def _states(database: Path) -> list[str]:
    with sqlite3.connect(database) as db:
        return [row[0] for row in db.execute("SELECT state FROM outbox ORDER BY id")]


def test_a_killed_send_is_resumed_not_left_sending(ws, built, tmp_path):
    port = free_port()
    configure(ws, port)
    count = len(queue_package(ws, built.package, RECIPIENT).messages)
    database = Path(ws.path)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CDHT_DATA_DIR": str(tmp_path / "user-data")}
    command = [sys.executable, "-m", "app", "--db", str(database), "outbox", "send"]
    with Server(port, Inbox(delay=60.0, slow=2)) as inbox:
        inbox.slow, inbox.delay = 2, 60.0
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while "sending" not in _states(database) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert "sending" in _states(database)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    assert "sending" in _states(database)
    listing = subprocess.run([sys.executable, "-m", "app", "--db", str(database), "outbox"], env=env, cwd=ROOT,
                             capture_output=True, text=True, timeout=120)
    assert "Đang gửi" in listing.stdout
    with Server(port, Inbox()) as second:
        done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "bị ngắt giữa chừng ở lần gửi trước được gửi lại" in done.stdout
    assert set(_states(database)) == {"sent"}
    received = inbox.messages + second.messages
    assert len(second.messages) == count and len(received) >= count
    assert_reassembles(received, tmp_path / "nhan")
    again = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert "Không có thư nào đến lượt gửi" in again.stdout


def test_exporting_again_while_parts_are_queued_never_overwrites_them(ws, built, tmp_path, p12_key):
    from app.dossier.package import build_package

    port = free_port()
    configure(ws, port)
    package = tmp_path / "goi.zip"
    shutil.copy(built.package, package)
    original_sha = hashlib.sha256(package.read_bytes()).hexdigest()
    first = queue_package(ws, package, RECIPIENT)
    count = len(first.messages)
    now = dt.datetime.now(dt.UTC)
    with Server(port, Inbox(accept=2)) as inbox:
        partial = flush_outbox(ws, now=now, timeout=5)
    assert partial.sent == 2 and partial.retrying >= 1

    build_package(ws, 2025, package, p12_key)  # the official exports the same version again: new bytes, same name
    assert hashlib.sha256(package.read_bytes()).hexdigest() != original_sha
    again = queue_package(ws, package, RECIPIENT)
    assert again.added == 0 and again.earlier_build_unsent == count - 2
    assert "đang được gửi dở" in again.describe()
    assert len(outbox_messages(ws)) == count

    with Server(port, Inbox()) as rest:
        flush_outbox(ws, now=now + dt.timedelta(hours=2), timeout=5)
    assert {m.state for m in outbox_messages(ws)} == {"sent"}
    assert_reassembles(inbox.messages + rest.messages, tmp_path / "nhan", original_sha)


# ---------------------------------------------------------------------------------------------- command line


def test_outbox_and_mail_commands_say_what_they_did(ws, built, tmp_path, capsys, monkeypatch):
    from app.cli import main

    db = str(ws.path)
    port = free_port()
    assert main(["--db", db, "mail", "show"]) == 0
    assert "Chưa cài đặt máy chủ thư" in capsys.readouterr().out
    assert main(["--db", db, "mail", "set", "--host", "127.0.0.1", "--port", str(port), "--security", "none",
                 "--sender", "ubnd@dongtien.example.vn", "--max-mb", "1"]) == 0
    assert "Đã lưu cài đặt máy chủ thư." in capsys.readouterr().out
    assert main(["--db", db, "mail", "show"]) == 0
    assert f"Máy chủ: 127.0.0.1:{port} (Không mã hóa)" in capsys.readouterr().out
    assert main(["--db", db, "mail", "test"]) == 1
    assert "Không kết nối được máy chủ thư 127.0.0.1" in capsys.readouterr().err
    assert main(["--db", db, "outbox", "send"]) == 0
    assert "Không có thư nào đến lượt gửi; hộp thư đi không còn thư chờ." in capsys.readouterr().out
    with Server(port, Inbox()) as inbox:
        assert main(["--db", db, "mail", "test", "--to", RECIPIENT]) == 0
        assert "đã gửi thư thử tới" in capsys.readouterr().out
        assert main(["--db", db, "send", "--year", "2025", "--to", RECIPIENT, "--package", str(built.package)]) == 0
    out = capsys.readouterr().out
    assert "Đã xếp" in out and "Đã gửi" in out and "hộp thư đi không còn thư chờ" in out
    assert len(inbox.messages) >= 2
    assert main(["--db", db, "outbox"]) == 0
    assert "gửi lúc" in capsys.readouterr().out
    monkeypatch.setenv("SMTP_PASSWORD_TEST", "mat-khau")
    assert main(["--db", db, "mail", "set", "--username", "van.thu", "--remember-password",
                 "--password-env", "SMTP_PASSWORD_TEST"]) == 0
    out = capsys.readouterr().out
    assert "mat-khau" not in out and ("két mật khẩu" in out)
    assert main(["--db", db, "outbox", "retry"]) == 0
    assert "Không có thư gửi thất bại nào" in capsys.readouterr().out


def test_a_failed_part_whose_file_was_lost_is_requeued_from_the_same_package(ws, built, tmp_path):
    port = free_port()
    configure(ws, port)
    messages = queue_package(ws, built.package, RECIPIENT).messages
    lost = Path(messages[1].attachment_path)
    lost.unlink()
    with Server(port, Inbox()) as inbox:
        result = flush_outbox(ws, timeout=5)
    assert result.failed == 1 and "bị thiếu hoặc đã bị hỏng" in outbox_messages(ws)[1].last_error
    again = queue_package(ws, built.package, RECIPIENT)  # the same package: its parts are cut again, same bytes
    assert again.requeued == 1 and lost.is_file() and again.added == 0
    with Server(port, Inbox()) as rest:
        assert flush_outbox(ws, timeout=5).sent == 1
    assert {m.state for m in outbox_messages(ws)} == {"sent"}
    assert_reassembles(inbox.messages + rest.messages, tmp_path / "nhan")
