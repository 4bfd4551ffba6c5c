"""Real mail servers on 127.0.0.1 for the e-mail intake tests: Dovecot (IMAP) with a private configuration in a
temporary folder, and an SMTP server (aiosmtpd) that delivers what the commune's outbox sends into that mailbox,
as the province's mail system would."""

from __future__ import annotations

import imaplib
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from app.recipient.mail import log_in

DOVECOT = "/usr/sbin/dovecot"
USER, PASSWORD = "hoso", "mật-khẩu-hộp-thư"

CONFIG = """base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid=nobody gid=nogroup home={root}/home/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class ImapServer:
    host: str
    port: int
    user: str
    password: str
    process: subprocess.Popen

    def append(self, message: bytes, when: float | None = None) -> None:
        """Deliver one message into the INBOX (with the given arrival time)."""
        client = imaplib.IMAP4(self.host, self.port)
        try:
            log_in(client, self.user, self.password)
            stamp = imaplib.Time2Internaldate(when if when is not None else time.time())
            status, _ = client.append("INBOX", None, stamp, message)
            assert status == "OK"
        finally:
            client.logout()


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@contextmanager
def dovecot() -> Iterator[ImapServer]:
    """Dovecot in the foreground with a private configuration in a temporary folder (readable by Dovecot's own
    unprivileged processes, which pytest's folders are not); stopped, waited for and removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="cdht-dovecot-"))
    folder.chmod(0o755)
    for sub in ("run", "state", "home"):
        (folder / sub).mkdir(exist_ok=True)
    shutil.chown(folder / "home", "nobody", "nogroup")
    (folder / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n", encoding="utf-8")
    port = free_port()
    config = folder / "dovecot.conf"
    config.write_text(CONFIG.format(root=folder, port=port), encoding="utf-8")
    process = subprocess.Popen([DOVECOT, "-F", "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 15
        while not _listening(port):
            if process.poll() is not None:
                raise RuntimeError(f"dovecot did not start: {process.stderr.read().decode(errors='replace')}")
            if time.monotonic() > deadline:
                raise RuntimeError("dovecot did not listen within 15 s")
            time.sleep(0.05)
        yield ImapServer("127.0.0.1", port, USER, PASSWORD, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        process.stderr.close()
        shutil.rmtree(folder, ignore_errors=True)


class DeliverToImap:
    """An aiosmtpd handler that puts every accepted message into the IMAP mailbox."""

    def __init__(self, server: ImapServer) -> None:
        self.server = server
        self.delivered = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
        self.server.append(envelope.original_content or envelope.content)
        self.delivered += 1
        return "250 OK"
