"""Polling IMAP mailboxes: every new message is stored first, then marked on the server.

Which messages are new is kept on the IMAP server itself, as a keyword (`$EnlaceStored`) set
on each message once it is stored, rather than as a last-seen UID in a table of ours:

- it needs no model, and stays right when the server renumbers its UIDs (a new UIDVALIDITY
  after a migration or a restore), where a stored UID would skip or repeat a whole mailbox;
- it is our own keyword, not `\\Seen`, so a person reading the mailbox in a mail program
  does not hide a message from Enlace (`\\Seen` is also set, to show staff it was taken);
- the staff can see in their mail program what was taken, and take a message again by
  removing the keyword.

A server that refuses keywords (no `\\*` in PERMANENTFLAGS) falls back to UNSEEN and `\\Seen`.

The order is store, then mark: a crash in between makes the message arrive again on the
next poll, and `do_receive_message` finds it by its Message-ID (or the hash of its bytes)
instead of storing it twice. So nothing is lost and nothing is doubled. Several pollers at
once (the sweeper on several machines) are safe for the same reason.
"""

from __future__ import annotations

import contextlib
import imaplib
import logging
import ssl
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from enlace.channels.actions import do_receive_message
from enlace.channels.email import parsing
from enlace.channels.email.plugin import CODE
from enlace.channels.models import InboundMessage

logger = logging.getLogger(__name__)

KEYWORD = "$EnlaceStored"


@dataclass(frozen=True)
class Mailbox:
    host: str
    port: int
    user: str
    password: str
    channel: str  # the catalogue channel its cases count under ("correo", "oir")
    folder: str = "INBOX"
    security: str = "tls"  # "tls", "starttls" or "none"

    @classmethod
    def from_setting(cls, item: dict[str, Any]) -> Mailbox:
        return cls(
            host=str(item["host"]),
            port=int(item["port"]),
            user=str(item["user"]),
            password=str(item["password"]),
            channel=str(item["channel"]),
            folder=str(item.get("folder") or "INBOX"),
            security=str(item.get("security") or "tls"),
        )

    @property
    def name(self) -> str:
        return f"{self.user}@{self.host}/{self.folder}"


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _check(result: tuple[str, list[Any]], what: str) -> list[Any]:
    status, data = result
    if status != "OK":
        raise imaplib.IMAP4.error(f"{what}: {status} {data!r}")
    return data


class Poller:
    """Takes the new messages of one mailbox. Subclasses may override a step (the tests crash
    `flag` to show that nothing is lost)."""

    def __init__(self, mailbox: Mailbox, *, batch: int | None = None) -> None:
        self.mailbox = mailbox
        self.batch = batch or settings.EMAIL_POLL_BATCH
        self.timeout = settings.EMAIL_POLL_TIMEOUT

    def connect(self) -> imaplib.IMAP4:
        box = self.mailbox
        if box.security == "tls":
            context = ssl.create_default_context()
            return imaplib.IMAP4_SSL(box.host, box.port, ssl_context=context, timeout=self.timeout)
        imap = imaplib.IMAP4(box.host, box.port, timeout=self.timeout)
        if box.security == "starttls":
            imap.starttls(ssl_context=ssl.create_default_context())
        return imap

    def poll(self) -> int:
        """Store the mailbox's new messages (at most `batch` of them); returns how many were
        new to Enlace."""
        imap = self.connect()
        try:
            _check(imap.login(self.mailbox.user, self.mailbox.password), "LOGIN")
            _check(imap.select(_quoted(self.mailbox.folder)), "SELECT")
            keywords = self.keywords_allowed(imap)
            criteria = ("UNKEYWORD", KEYWORD) if keywords else ("UNSEEN",)
            found = _check(imap.uid("SEARCH", *criteria), "SEARCH")
            uids = [uid.decode() for uid in (found[0] or b"").split()[: self.batch]]
            stored = 0
            for uid in uids:
                raw = self.fetch(imap, uid)
                if raw is None:  # expunged meanwhile
                    continue
                try:
                    _message, created = self.store(raw)
                except Exception:  # one message that cannot be stored must not block the rest
                    logger.exception("message %s of %s not stored", uid, self.mailbox.name)
                    continue
                stored += created
                self.flag(imap, uid, keywords=keywords)
            return stored
        finally:
            with contextlib.suppress(imaplib.IMAP4.error, OSError):
                imap.logout()

    @staticmethod
    def keywords_allowed(imap: imaplib.IMAP4) -> bool:
        responses = imap.untagged_responses.get("PERMANENTFLAGS", [])
        flags = b" ".join(item for item in responses if isinstance(item, bytes))
        return b"\\*" in flags

    def fetch(self, imap: imaplib.IMAP4, uid: str) -> bytes | None:
        """The message's source, exactly as the server holds it (PEEK: nothing is marked)."""
        data = _check(imap.uid("FETCH", uid, "(BODY.PEEK[])"), "FETCH")
        for item in data:
            if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
                return item[1]
        return None

    def store(self, raw: bytes) -> tuple[InboundMessage, bool]:
        """Store the source untouched (only its headers are read, for its id and sender)."""
        found = parsing.envelope(raw)
        return do_receive_message(
            CODE,
            found.external_id,
            raw=raw,
            sender=found.sender,
            headers={
                **found.headers,
                "channel": self.mailbox.channel,
                "mailbox": self.mailbox.name,
            },
        )

    def flag(self, imap: imaplib.IMAP4, uid: str, *, keywords: bool) -> None:
        flags = f"(\\Seen {KEYWORD})" if keywords else "(\\Seen)"
        _check(imap.uid("STORE", uid, "+FLAGS.SILENT", flags), "STORE")


def poll_mailboxes(mailboxes: list[dict[str, Any]] | None = None) -> int:
    """Poll every configured mailbox (settings.EMAIL_INBOXES) once; returns how many messages
    were new. A mailbox that cannot be reached is logged and the others are still polled."""
    stored = 0
    for item in settings.EMAIL_INBOXES if mailboxes is None else mailboxes:
        mailbox = Mailbox.from_setting(item)
        try:
            stored += Poller(mailbox).poll()
        except (imaplib.IMAP4.error, OSError) as error:
            logger.warning("mailbox %s could not be polled: %s", mailbox.name, error)
    return stored
