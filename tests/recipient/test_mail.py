"""Packages that arrive by e-mail, sent by the commune's own outbox: parts as .eml files (with duplicates, a missing
part, a damaged copy), an .mbox mailbox, and a real IMAP mailbox (Dovecot on 127.0.0.1)."""

from __future__ import annotations

import datetime as dt
import email
import socket
from email import policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from app.domain.records import Profile
from app.dossier.outbox import MailSettings, flush_outbox, queue_package, save_mail_settings
from app.recipient import register as reg
from app.recipient.intake import DUPLICATE, FAILED, NEW, PENDING, intake_paths, received_on
from app.recipient.mail import ImapAccount, intake_imap, pending_sets
from app.recipient.verification import VALID
from app.services.profile import save_profile
from app.storage.workspace import Workspace
from tests.recipient.conftest import ON_TIME, YEAR
from tests.recipient.mailservers import DeliverToImap, dovecot, free_port

RECIPIENT = "hoso@sogddt.thainguyen.example.vn"


class Inbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
        self.messages.append(envelope.original_content or envelope.content)
        return "250 OK"


def _commune_outbox(tmp_path: Path, port: int) -> Workspace:
    ws = Workspace.open(tmp_path / "xa" / "cdht.sqlite3")
    save_profile(ws, Profile("Quyết Thắng", "Thái Nguyên"))
    save_mail_settings(ws, MailSettings(host="127.0.0.1", port=port, security="none", sender="ubnd@qt.example.vn",
                                        max_attachment_bytes=150_000))
    return ws


def _send(tmp_path: Path, package: Path, handler) -> int:
    """Queue and send a package with the commune's outbox to a local SMTP server; returns the number of parts."""
    port = free_port()
    ws = _commune_outbox(tmp_path, port)
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        count = len(queue_package(ws, package, RECIPIENT).messages)
        result = flush_outbox(ws, timeout=10)
        assert result.sent == count, result
    finally:
        controller.stop()
        ws.close()
    return count


@pytest.fixture
def sent(tmp_path, dossiers) -> list[bytes]:
    inbox = Inbox()
    count = _send(tmp_path, dossiers.packages["quyet_thang"], inbox)
    assert count >= 3 and len(inbox.messages) == count
    return inbox.messages


def _subject(raw: bytes) -> str:
    return str(email.message_from_bytes(raw, policy=policy.default)["Subject"])


def test_eml_parts_wait_for_the_last_part_then_register_once(rws, sent, tmp_path):
    folder = tmp_path / "thu"
    folder.mkdir()
    for number, raw in enumerate(sent[:-1], start=1):
        (folder / f"thu-{number}.eml").write_bytes(raw)
    (folder / "thu-1-gui-lai.eml").write_bytes(sent[0])  # the server delivered part 1 twice
    first = intake_paths(rws, [folder], received_on(ON_TIME))
    assert [i.outcome for i in first.items] == [PENDING]
    assert f"đã có {len(sent) - 1}/{len(sent)} phần" in first.items[0].message
    assert reg.packages(rws) == []  # nothing half-received is shown as received
    assert len(pending_sets(rws)) == 1

    last = tmp_path / "thu-cuoi"
    last.mkdir()
    (last / "cuoi.eml").write_bytes(sent[-1])
    second = intake_paths(rws, [last], received_on(ON_TIME))
    assert [(i.outcome, i.verdict, i.commune) for i in second.items] == [(NEW, VALID, "Quyết Thắng")]
    assert pending_sets(rws) == [] and not any(rws.incoming_dir.iterdir())
    package = reg.packages(rws)[0]
    assert package.source_kind == "email" and "cuoi.eml" in package.source_ref

    again = intake_paths(rws, [folder, last], received_on(ON_TIME))
    assert [i.outcome for i in again.items] == [DUPLICATE]  # the whole set again: recognised, not stored twice
    assert len(list(rws.store_dir.rglob("*.zip"))) == 1


def test_a_damaged_copy_of_a_part_never_replaces_the_good_one(rws, sent, tmp_path):
    folder = tmp_path / "thu"
    folder.mkdir()
    for number, raw in enumerate(sent, start=1):
        (folder / f"thu-{number}.eml").write_bytes(raw)
    message = email.message_from_bytes(sent[1], policy=policy.default)
    for part in message.iter_attachments():
        if part.get_filename().endswith(".002"):
            data = bytearray(part.get_payload(decode=True))
            data[100] ^= 0xFF
            part.set_content(bytes(data), maintype="application", subtype="octet-stream",
                             filename=part.get_filename())
    (folder / "thu-2-hong.eml").write_bytes(message.as_bytes())
    report = intake_paths(rws, [folder], received_on(ON_TIME))
    outcomes = [i.outcome for i in report.items]
    assert outcomes.count(FAILED) == 1 and outcomes.count(NEW) == 1
    assert "bị hỏng" in next(i.message for i in report.items if i.outcome == FAILED)
    assert reg.packages(rws)[0].verdict == VALID


def test_an_mbox_mailbox_with_other_mail(rws, sent, tmp_path):
    other = (b"From: ban@example.vn\nSubject: =?utf-8?b?VGjGsCBt4budaQ==?=\n\nFrom the desk of the director.\n"
             b"Khong co tep dinh kem.\n")
    lines = []
    for raw in [other, *sent]:
        body = b"\n".join(b">" + line if line.startswith(b"From ") else line for line in raw.split(b"\n"))
        lines.append(b"From sender@example.vn Mon Feb 16 08:00:00 2026\n" + body.rstrip(b"\n") + b"\n\n")
    mbox = tmp_path / "hop-thu.mbox"
    mbox.write_bytes(b"".join(lines))
    report = intake_paths(rws, [mbox], received_on(ON_TIME))
    assert [(i.outcome, i.verdict) for i in report.items if i.outcome != "skipped"] == [(NEW, VALID)]
    assert any("không kèm gói hồ sơ" in i.message for i in report.items if i.outcome == "skipped")


def test_imap_mailbox_on_a_real_server(rws, dossiers, tmp_path):
    """The commune's outbox sends through SMTP into a Dovecot mailbox; the recipient reads it over IMAP."""
    with dovecot() as server:
        handler = DeliverToImap(server)
        count = _send(tmp_path, dossiers.packages["quyet_thang"], handler)
        assert handler.delivered == count
        arrived = dt.datetime(2026, 2, 27, 16, 30, tzinfo=dt.UTC).timestamp()  # 23:30 on 27/02 in Vietnam
        server.append(_rewrap(dossiers.packages["late"]), when=arrived)  # a small package sent whole, on time
        account = ImapAccount(server.host, server.user, server.port, "none")
        report = intake_imap(rws, account, server.password)
        assert sorted((i.outcome, i.verdict, i.commune) for i in report.items) == [
            (NEW, VALID, "Quyết Thắng"), (NEW, VALID, "Sơn Cẩm")]
        whole = next(p for p in reg.packages(rws) if p.commune == "Sơn Cẩm")
        assert whole.received_at == "2026-02-27T16:30:00+00:00" and not whole.late
        assert whole.source_ref.startswith(f"imap://{server.user}@127.0.0.1/INBOX;UID=")
        again = intake_imap(rws, account, server.password)
        assert again.items == []  # messages already read are not fetched again
        with pytest.raises(Exception, match="từ chối đăng nhập"):
            intake_imap(rws, account, "sai-mật-khẩu")
        process = server.process
    assert process.poll() is not None  # the server is stopped
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", server.port)) != 0
    rows = {r.commune: r for r in reg.register_rows(rws, YEAR)}
    assert rows["Quyết Thắng"].status == reg.RECEIVED


def _rewrap(package: Path) -> bytes:
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"] = "ubnd@soncam.example.vn"
    message["To"] = RECIPIENT
    message["Subject"] = "Hồ sơ đề nghị công nhận Cộng đồng học tập — xã Sơn Cẩm"
    message.set_content("Kính gửi Sở, xin gửi kèm gói hồ sơ.")
    message.add_attachment(package.read_bytes(), maintype="application", subtype="zip",
                           filename="HoSo-CDHT-son-cam-2025-v1.zip")
    return message.as_bytes()
