"""A real IMAP server for the e-mail channel's tests: Debian's Dovecot (`dovecot-imapd`), started
once per test process in the foreground, with a generated configuration in a temporary folder:
one user with a plain password, maildir storage, no TLS, listening on 127.0.0.1 on a free
port. Test mail is delivered by IMAP APPEND, as a mail server would leave it in the mailbox.
An SMTP server (aiosmtpd, as in the notifications' tests) receives what Enlace sends."""

from __future__ import annotations

import grp
import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from enlace.channels.actions import do_process_message
from enlace.channels.email.imap import Mailbox, Poller
from enlace.channels.models import InboundMessage, InboundStatus
from enlace.notifications.tests.conftest import Inbox, free_port

DOVECOT = Path("/usr/sbin/dovecot")
USER = "atencion"
PASSWORD = "clave-de-prueba"

CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
instance_name = enlace-test-{port}
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
log_path = {root}/dovecot.log
default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
mail_location = maildir:{root}/mail/%u
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {root}/users
  default_fields = uid={mail_user} gid={mail_group} home={root}/home/%u
}}
"""


@dataclass(frozen=True)
class ImapServer:
    host: str
    port: int
    root: Path

    def setting(self, *, channel: str = "correo", folder: str = "INBOX") -> dict[str, object]:
        """A mailbox as settings.EMAIL_INBOXES holds it."""
        return {
            "host": self.host,
            "port": self.port,
            "security": "none",
            "user": USER,
            "password": PASSWORD,
            "folder": folder,
            "channel": channel,
        }

    def connect(self, folder: str = "INBOX") -> imaplib.IMAP4:
        imap = imaplib.IMAP4(self.host, self.port, timeout=10)
        imap.login(USER, PASSWORD)
        if folder != "INBOX":
            imap.create(folder)
        imap.select(folder)
        return imap

    def append(self, raw: bytes, folder: str = "INBOX") -> None:
        """Deliver a message into the mailbox (IMAP APPEND)."""
        imap = self.connect(folder)
        try:
            status, data = imap.append(folder, "", imaplib.Time2Internaldate(time.time()), raw)
            assert status == "OK", data
        finally:
            imap.logout()

    def flags(self, folder: str = "INBOX") -> list[str]:
        """The flags of every message in the folder, in order."""
        imap = self.connect(folder)
        try:
            _status, data = imap.fetch("1:*", "(FLAGS)")
        finally:
            imap.logout()
        return [item.decode() for item in data if isinstance(item, bytes)]

    def clear(self) -> None:
        """Empty the inbox and remove other folders."""
        imap = self.connect()
        try:
            _status, listing = imap.list()
            for line in listing:
                if not isinstance(line, bytes):
                    continue
                name = line.decode().rsplit(" ", 1)[-1].strip('"')
                if name and name != "INBOX":
                    imap.delete(name)
            _status, count = imap.select("INBOX")
            if count[0] and int(count[0]):
                imap.store("1:*", "+FLAGS.SILENT", "(\\Deleted)")
                imap.expunge()
        finally:
            imap.logout()


def _users() -> dict[str, str]:
    """Who Dovecot's processes and the mail run as. As a normal user, that user throughout
    (default_internal_user/default_login_user). As root (a CI container), Dovecot refuses to
    run its login processes or to store mail as root, so those run as nobody."""
    if os.geteuid() != 0:
        user = pwd.getpwuid(os.getuid()).pw_name
        group = grp.getgrgid(os.getgid()).gr_name
        return {
            "internal_user": user,
            "internal_group": group,
            "login_user": user,
            "mail_user": user,
            "mail_group": group,
        }
    nobody = pwd.getpwnam("nobody")
    nogroup = grp.getgrgid(nobody.pw_gid).gr_name
    return {
        "internal_user": "root",
        "internal_group": "root",
        "login_user": "nobody",
        "mail_user": "nobody",
        "mail_group": nogroup,
    }


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="session")
def imap_server():
    if not DOVECOT.exists():
        pytest.skip(f"{DOVECOT} is absent: the IMAP tests need Debian's dovecot-imapd")
    # Not under pytest's tmp_path: Unix socket paths are short, and the login processes (as
    # nobody, when the tests run as root) must reach them.
    root = Path(tempfile.mkdtemp(prefix="enlace-imap-"))
    root.chmod(0o755)
    port = free_port()
    users = _users()
    (root / "dovecot.conf").write_text(CONFIG.format(root=root, port=port, **users))
    (root / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
    for folder in ("mail", "home"):
        (root / folder).mkdir()
        shutil.chown(root / folder, users["mail_user"], users["mail_group"])
    process = subprocess.Popen(  # noqa: S603 - a fixed program and our own configuration
        [str(DOVECOT), "-F", "-c", str(root / "dovecot.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 15
        while not _listening(port):
            log = root / "dovecot.log"
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"dovecot did not start: {log.read_text() if log.exists() else ''}")
            time.sleep(0.05)
        yield ImapServer("127.0.0.1", port, root)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def imap(imap_server, settings, tmp_path):
    """The IMAP server with an empty mailbox, configured as the user-attention mailbox; the
    raw messages and attachments go to a temporary media folder."""
    imap_server.clear()
    settings.MEDIA_ROOT = tmp_path
    settings.EMAIL_INBOXES = [imap_server.setting()]
    return imap_server


def process_pending() -> None:
    """What the background task does after each message is stored (tests run in a
    transaction that never commits, so the task is not enqueued)."""
    pending = InboundMessage.objects.filter(status=InboundStatus.PENDING)
    for pk in pending.order_by("id").values_list("pk", flat=True):
        do_process_message(pk)


def poll(server: ImapServer, poller: type[Poller] = Poller, **setting: str) -> int:
    """Poll the mailbox once, then process what was stored; returns how many were new."""
    stored = poller(Mailbox.from_setting(server.setting(**setting))).poll()
    process_pending()
    return stored


@pytest.fixture
def smtp_server(settings):
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_TIMEOUT = 5
    controller.start()
    yield inbox
    controller.stop()
