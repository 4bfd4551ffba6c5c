"""The e-mail outbox: a package queued as e-mail-sized parts, sent when the network is back, never twice.

Each part is one message whose Message-ID is derived from the package UUID, version, part and recipient, so
queueing the same package again adds nothing, and a recipient's mail system can drop any duplicate. A message
is claimed ('sending') before the SMTP transaction and marked 'sent' after it; failures are retried with
exponential backoff (1 minute doubling to 1 hour); permanent refusals (5xx) are marked 'failed'.
The SMTP password lives in the OS keyring when there is one, otherwise it is asked for; never on disk.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import smtplib
import ssl
import zipfile
from dataclasses import asdict, dataclass
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path

from app.dossier import bag
from app.dossier.parts import split_package
from app.errors import InputError
from app.services.workspace import Changes, Workspace
from app.text import nfc, utc_now

SECURITY = {"starttls": "STARTTLS", "ssl": "SSL/TLS", "none": "Không mã hóa"}
STATE_LABELS = {"queued": "Chờ gửi", "sending": "Đang gửi", "sent": "Đã gửi", "failed": "Gửi thất bại"}
MAX_BACKOFF = 3600
STALE_SENDING = dt.timedelta(minutes=15)
#: Base64 turns 3 bytes into 4 and wraps lines; this leaves room for headers and the parts manifest.
ENCODING_FACTOR = 1.37
HEADROOM = 64 * 1024
KEYRING_SERVICE = "CĐHT xã — thư điện tử"


@dataclass(frozen=True)
class MailSettings:
    host: str = ""
    port: int = 587
    security: str = "starttls"
    username: str = ""
    sender: str = ""
    max_attachment_bytes: int = 20_000_000

    @property
    def part_size(self) -> int:
        """Raw bytes of package per message so that the encoded message stays under the limit."""
        return max(1024, int((self.max_attachment_bytes - HEADROOM) / ENCODING_FACTOR))


@dataclass(frozen=True)
class OutboxMessage:
    id: int
    year: int
    package_uuid: str
    version: int
    recipient: str
    subject: str
    part_index: int
    part_count: int
    attachment_path: str
    attachment_sha256: str
    parts_manifest_path: str
    message_id: str
    state: str
    attempts: int
    next_try_at: str
    last_error: str
    created_at: str
    sent_at: str | None

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]


@dataclass(frozen=True)
class FlushResult:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    error: str = ""


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or dt.datetime.now(dt.UTC)


# ---------------------------------------------------------------------- settings and password

def mail_settings(ws: Workspace) -> MailSettings:
    with ws.lock:
        row = ws.db.execute("SELECT host, port, security, username, sender, max_attachment_bytes FROM mail_settings "
                            "WHERE id = 1").fetchone()
    return MailSettings(*row) if row else MailSettings()


def save_mail_settings(ws: Workspace, settings: MailSettings) -> Changes:
    clean = MailSettings(nfc(settings.host).strip(), int(settings.port), settings.security,
                         nfc(settings.username).strip(), nfc(settings.sender).strip(), int(settings.max_attachment_bytes))
    if clean.security not in SECURITY:
        raise InputError(f"Kiểu bảo mật {clean.security!r} không hợp lệ; chỉ có: {', '.join(SECURITY)}.")
    if not 0 < clean.port < 65536:
        raise InputError(f"Cổng máy chủ thư {clean.port} không hợp lệ.")
    if clean.max_attachment_bytes < 100_000:
        raise InputError("Giới hạn dung lượng mỗi thư phải từ 100.000 byte trở lên.")
    if clean.sender and "@" not in clean.sender:
        raise InputError(f"Địa chỉ người gửi '{clean.sender}' không hợp lệ.")
    with ws.transaction():
        old = mail_settings(ws)
        if old == clean:
            return Changes()
        ws.db.execute(
            "INSERT INTO mail_settings (id, host, port, security, username, sender, max_attachment_bytes, updated_at) "
            "VALUES (1, :host, :port, :security, :username, :sender, :max_attachment_bytes, :updated_at) "
            "ON CONFLICT(id) DO UPDATE SET host=excluded.host, port=excluded.port, security=excluded.security, "
            "username=excluded.username, sender=excluded.sender, max_attachment_bytes=excluded.max_attachment_bytes, "
            "updated_at=excluded.updated_at", {**asdict(clean), "updated_at": utc_now()})
        ws.audit("update", "mail_settings", "", None, asdict(old), asdict(clean))
    return Changes(settings=True)


def _keyring_account(settings: MailSettings) -> str:
    return f"{settings.username}@{settings.host}"


def stored_password(settings: MailSettings) -> str | None:
    """The SMTP password from the OS keyring, or None when there is no keyring or nothing stored."""
    try:
        import keyring

        return keyring.get_password(KEYRING_SERVICE, _keyring_account(settings))
    except Exception:  # noqa: BLE001 - no usable keyring backend: the password is asked each time
        return None


def remember_password(settings: MailSettings, password: str) -> bool:
    """Keep the password in the OS keyring; False when the machine has none (then it is asked each time)."""
    try:
        import keyring

        keyring.set_password(KEYRING_SERVICE, _keyring_account(settings), password)
        return True
    except Exception:  # noqa: BLE001
        return False


# ---------------------------------------------------------------------- queueing

def _package_identity(package: Path) -> dict[str, str]:
    try:
        with zipfile.ZipFile(package) as archive:
            name = next(n for n in archive.namelist() if n.count("/") == 1 and n.endswith("/bag-info.txt"))
            return bag.parse_bag_info(archive.read(name))
    except (OSError, zipfile.BadZipFile, StopIteration, KeyError):
        raise InputError(f"'{package.name}' không phải gói hồ sơ hợp lệ (không đọc được bag-info.txt).") from None


def message_id(package_uuid: str, version: int, part: int, count: int, recipient: str) -> str:
    who = hashlib.sha256(recipient.strip().lower().encode("utf-8")).hexdigest()[:10]
    return f"<cdht.{package_uuid}.v{version}.p{part}of{count}.{who}@cdht-xa.invalid>"


def queue_package(ws: Workspace, package: Path, recipient: str, now: dt.datetime | None = None) -> list[OutboxMessage]:
    """Queue the package for `recipient` as one message per part; queueing it again changes nothing."""
    recipient = nfc(recipient or "").strip()
    if "@" not in recipient or " " in recipient:
        raise InputError(f"Địa chỉ người nhận '{recipient}' không hợp lệ.")
    package = Path(package)
    if not package.is_file():
        raise InputError(f"Không tìm thấy gói hồ sơ '{package}'. Hãy xuất gói trước khi gửi.")
    identity = _package_identity(package)
    uuid, version = identity.get("CDHT-Package-UUID", ""), int(identity.get("CDHT-Package-Version", "0") or 0)
    year = int(identity.get("CDHT-Year", "0") or 0)
    settings = mail_settings(ws)
    folder = ws.data_dir / "outbox" / f"{uuid}-v{version}"
    manifest_path, manifest = split_package(package, folder, settings.part_size, uuid, version)
    count = len(manifest.parts)
    commune = identity.get("CDHT-Commune", "")
    created = _iso(_now(now))
    with ws.transaction():
        for index, part in enumerate(manifest.parts, start=1):
            subject = (f"Hồ sơ đề nghị công nhận Cộng đồng học tập — xã {commune}, năm {year} (phiên bản {version})"
                       + (f" — phần {index}/{count}" if count > 1 else ""))
            mid = message_id(uuid, version, index, count, recipient)
            cursor = ws.db.execute(
                "INSERT OR IGNORE INTO outbox (year, package_uuid, version, recipient, subject, part_index, part_count, "
                "attachment_path, attachment_sha256, parts_manifest_path, message_id, state, next_try_at, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?)",
                [year, uuid, version, recipient, subject, index, count, str(folder / part.name), part.sha256,
                 str(manifest_path), mid, created, created])
            if cursor.rowcount:
                ws.audit("queue", "outbox", mid, year, None, {"recipient": recipient, "part": index, "of": count})
    return [m for m in outbox_messages(ws) if m.package_uuid == uuid and m.version == version
            and m.recipient == recipient]


def outbox_messages(ws: Workspace) -> list[OutboxMessage]:
    with ws.lock:
        rows = ws.db.execute(
            "SELECT id, year, package_uuid, version, recipient, subject, part_index, part_count, attachment_path, "
            "attachment_sha256, parts_manifest_path, message_id, state, attempts, next_try_at, last_error, created_at, "
            "sent_at FROM outbox ORDER BY id").fetchall()
    return [OutboxMessage(*row) for row in rows]


def pending_count(ws: Workspace) -> int:
    with ws.lock:
        return int(ws.db.execute("SELECT COUNT(*) FROM outbox WHERE state IN ('queued', 'sending')").fetchone()[0])


# ---------------------------------------------------------------------- sending

def _connect(settings: MailSettings, password: str | None, timeout: float) -> smtplib.SMTP:
    if not settings.host:
        raise InputError("Chưa cài đặt máy chủ thư (SMTP).")
    if settings.security == "ssl":
        client: smtplib.SMTP = smtplib.SMTP_SSL(settings.host, settings.port, timeout=timeout,
                                                context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(settings.host, settings.port, timeout=timeout)
        if settings.security == "starttls":
            client.starttls(context=ssl.create_default_context())
    if settings.username:
        if not password:
            client.close()
            raise InputError("Cần mật khẩu thư điện tử để gửi.")
        client.login(settings.username, password)
    return client


def _build(message: OutboxMessage, settings: MailSettings) -> EmailMessage:
    path = Path(message.attachment_path)
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != message.attachment_sha256:
        raise InputError(f"Tệp đính kèm '{path.name}' trong hộp thư đi đã bị hỏng; hãy xếp gói vào hàng đợi lại.")
    manifest = Path(message.parts_manifest_path)
    mail = EmailMessage()
    mail["From"] = settings.sender or settings.username
    mail["To"] = message.recipient
    mail["Subject"] = message.subject
    mail["Message-ID"] = message.message_id
    mail["Date"] = formatdate(localtime=True)
    mail["X-CDHT-Package"] = f"{message.package_uuid}; version={message.version}; part={message.part_index}/{message.part_count}"
    mail.set_content(
        f"Kính gửi Quý cơ quan,\n\nXin gửi kèm gói hồ sơ đề nghị công nhận xã đạt chuẩn \"Cộng đồng học tập\" "
        f"năm {message.year} (phiên bản {message.version}), phần {message.part_index}/{message.part_count}.\n"
        f"Mã gói: {message.package_uuid}.\n\n"
        "Khi đã nhận đủ các phần, ghép lại bằng lệnh `cat TÊN.zip.0* > TÊN.zip` (Windows: "
        "`copy /b TÊN.zip.001+TÊN.zip.002 TÊN.zip`) hoặc kiểm tra trực tiếp bằng `cdht verify TÊN.zip.parts.json`.\n"
        "Gói là một túi BagIt (RFC 8493), kiểm tra được bằng bagit.py và openssl.\n")
    mail.add_attachment(data, maintype="application", subtype="octet-stream", filename=path.name)
    mail.add_attachment(manifest.read_bytes(), maintype="application", subtype="json", filename=manifest.name)
    return mail


def _backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(60 * 2 ** max(attempts - 1, 0), MAX_BACKOFF))


def _release_stale(ws: Workspace, now: dt.datetime) -> None:
    """A message left 'sending' by a crash goes back to the queue (its Message-ID stays the same)."""
    with ws.transaction():
        ws.db.execute("UPDATE outbox SET state = 'queued' WHERE state = 'sending' AND next_try_at < ?",
                      [_iso(now - STALE_SENDING)])


def _claim(ws: Workspace, message: OutboxMessage, now: dt.datetime) -> bool:
    with ws.transaction():
        cursor = ws.db.execute(
            "UPDATE outbox SET state = 'sending', attempts = attempts + 1, next_try_at = ? "
            "WHERE id = ? AND state = 'queued'", [_iso(now), message.id])
        return cursor.rowcount == 1


def _finish(ws: Workspace, message: OutboxMessage, state: str, now: dt.datetime, error: str = "") -> None:
    with ws.transaction():
        attempts = ws.db.execute("SELECT attempts FROM outbox WHERE id = ?", [message.id]).fetchone()[0]
        next_try = _iso(now + _backoff(attempts)) if state == "queued" else _iso(now)
        ws.db.execute("UPDATE outbox SET state = ?, next_try_at = ?, last_error = ?, sent_at = ? WHERE id = ?",
                      [state, next_try, error, _iso(now) if state == "sent" else None, message.id])
        ws.audit("send" if state == "sent" else "send_failed", "outbox", message.message_id, message.year,
                 None, {"state": state, "attempts": attempts, "error": error})


def _is_permanent(exc: BaseException) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    code = getattr(exc, "smtp_code", None)
    return isinstance(code, int) and code >= 500 and not isinstance(exc, smtplib.SMTPServerDisconnected)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, (ConnectionRefusedError, TimeoutError, OSError)) and not isinstance(exc, smtplib.SMTPException):
        return f"không kết nối được máy chủ thư ({exc.strerror or type(exc).__name__})"
    if isinstance(exc, smtplib.SMTPRecipientsRefused) and exc.recipients:
        exc_code, exc_text = next(iter(exc.recipients.values()))
        text = exc_text.decode("utf-8", "replace") if isinstance(exc_text, bytes) else str(exc_text)
        return f"máy chủ thư từ chối người nhận ({exc_code}): {text}"
    code = getattr(exc, "smtp_code", None)
    text = getattr(exc, "smtp_error", b"")
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text or exc)
    return f"máy chủ thư từ chối ({code}): {text}" if code else f"lỗi gửi thư: {type(exc).__name__}"


def flush_outbox(ws: Workspace, password: str | None = None, now: dt.datetime | None = None,
                 timeout: float = 20.0) -> FlushResult:
    """Send every due message once over one SMTP connection; returns how many were sent, retried, failed."""
    now = _now(now)
    _release_stale(ws, now)
    due = [m for m in outbox_messages(ws) if m.state == "queued" and m.next_try_at <= _iso(now)]
    if not due:
        return FlushResult()
    settings = mail_settings(ws)
    if password is None:
        password = stored_password(settings)
    sent = retrying = failed = 0
    client = None
    try:
        client = _connect(settings, password, timeout)
    except smtplib.SMTPAuthenticationError:
        return FlushResult(error="Sai tên đăng nhập hoặc mật khẩu thư điện tử; thư vẫn nằm trong hộp thư đi.")
    except InputError as exc:
        return FlushResult(error=exc.message)
    except (OSError, smtplib.SMTPException) as exc:
        for message in due:
            if _claim(ws, message, now):
                _finish(ws, message, "queued", now, _describe(exc))
                retrying += 1
        return FlushResult(0, retrying, 0, _describe(exc))
    try:
        for message in due:
            if not _claim(ws, message, now):
                continue
            try:
                mail = _build(message, settings)
                client.send_message(mail)
            except InputError as exc:
                _finish(ws, message, "failed", now, exc.message)
                failed += 1
            except (OSError, smtplib.SMTPException) as exc:
                permanent = _is_permanent(exc)
                _finish(ws, message, "failed" if permanent else "queued", now, _describe(exc))
                failed += permanent
                retrying += not permanent
            else:
                _finish(ws, message, "sent", now)
                sent += 1
    finally:
        try:
            client.quit()
        except (OSError, smtplib.SMTPException):
            pass
    return FlushResult(sent, retrying, failed)


def outbox_json(ws: Workspace) -> list[dict]:
    return [{**asdict(m), "state_label": m.state_label} for m in outbox_messages(ws)]


__all__ = ["MailSettings", "OutboxMessage", "FlushResult", "mail_settings", "save_mail_settings", "queue_package",
           "outbox_messages", "flush_outbox", "stored_password", "remember_password", "message_id", "outbox_json",
           "pending_count"]
