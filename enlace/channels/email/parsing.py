"""Reading an e-mail as it arrives from anyone's mail program: pure functions, no database.

Mail in the wild is often malformed: a missing or wrong charset, ISO-8859-1 or windows-1252
sent as if it were UTF-8, raw 8-bit bytes in headers, HTML with no text part. Nothing here
raises on such mail; what cannot be read exactly is read as well as it can be, and text that
reaches the database has no NUL bytes, control characters or lone surrogates (PostgreSQL
refuses them).
"""

from __future__ import annotations

import codecs
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesHeaderParser, BytesParser
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser

from enlace.cases.rules import normalise_tracking_code

# Headers kept on the stored message (InboundMessage.headers), to show where it came from.
KEPT_HEADERS = ("message-id", "from", "to", "subject", "date", "in-reply-to", "references")
MAX_HEADER_CHARS = 2000

# Charsets whose declaration is often a lie: such text is tried as UTF-8 first (valid UTF-8
# with accents is practically never Latin-1 text), then as windows-1252, which is what
# senders who say ISO-8859-1 or US-ASCII actually write (browsers read them the same way).
_LATIN = {"ascii", "latin-1", "iso8859-1", "iso8859-15", "cp1252"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
# The tracking code as Enlace writes it in its subjects: XXXXX-XXXXX.
_CODE_IN_SUBJECT = re.compile(r"(?<![A-Za-z0-9])([A-Za-z0-9]{5}-[A-Za-z0-9]{5})(?![A-Za-z0-9])")


def parse(raw: bytes) -> EmailMessage:
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)  # policy.default makes EmailMessage
    return message


# --- Text ---------------------------------------------------------------------------------


def _codec(charset: str | None) -> str | None:
    if not charset:
        return None
    try:
        return codecs.lookup(charset.strip().strip('"')).name
    except (LookupError, ValueError):
        return None


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Text from bytes in the declared charset if that reads, else UTF-8, else windows-1252.
    Never raises."""
    declared = _codec(charset)
    order = ["utf-8", "cp1252"] if declared is None or declared in _LATIN else [declared]
    order += [codec for codec in ("utf-8", "cp1252") if codec not in order]
    for codec in order:
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("cp1252", errors="replace")


def clean(text: str) -> str:
    """Text safe to store: raw bytes smuggled in as surrogates decoded, control characters
    (NUL included) removed, line ends as `\\n`."""
    if any("\ud800" <= char <= "\udfff" for char in text):
        try:
            text = decode_bytes(text.encode("utf-8", errors="surrogateescape"))
        except UnicodeEncodeError:  # a surrogate that no byte stands for
            text = text.encode("utf-8", errors="replace").decode("utf-8")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text)


def header(message: Message, name: str) -> str:
    """One header (`name` in lower case) as clean text, on one line; "" when absent."""
    raw = next((value for key, value in message.raw_items() if key.lower() == name), None)
    if raw is None:
        return ""
    if any("\udc80" <= char <= "\udcff" for char in raw):
        # Raw 8-bit bytes (no RFC 2047 encoding): the library would show U+FFFD for each.
        text = raw
    else:
        try:
            value = message.get(name)
            text = "" if value is None else str(value)
        except (LookupError, ValueError, TypeError, IndexError, AttributeError):
            text = raw  # a header policy.default cannot make sense of: read it undecoded
    return " ".join(clean(text).split())[:MAX_HEADER_CHARS]


def part_text(part: Message) -> str:
    """The decoded text of one text part (base64 and quoted-printable undone)."""
    try:
        payload = part.get_payload(decode=True)
    except (ValueError, TypeError, LookupError):  # pragma: no cover - the library registers defects
        payload = None
    if not isinstance(payload, bytes):
        return ""
    return clean(decode_bytes(payload, part.get_content_charset()))


class _TextFromHtml(HTMLParser):
    """The visible text of an HTML body: no tags, no scripts, no styles, entities decoded."""

    SKIPPED = frozenset({"script", "style", "head", "title", "template", "noscript", "svg"})
    BLOCKS = frozenset(
        {"p", "div", "br", "tr", "li", "ul", "ol", "table", "blockquote", "pre", "hr"}
        | {"h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "header", "footer"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            self.skipping = 0  # an unclosed <head> must not hide the body
        elif tag in self.SKIPPED:
            self.skipping += 1
        elif tag in self.BLOCKS and not self.skipping:
            self.parts.append("\n- " if tag == "li" else "\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS and not self.skipping:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(re.sub(r"\s+", " ", data.replace("\xa0", " ")))


def html_to_text(html: str) -> str:
    parser = _TextFromHtml()
    parser.feed(html)
    parser.close()
    lines = [line.strip() for line in "".join(parser.parts).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _body_part(message: EmailMessage, kind: str) -> Message | None:
    try:
        return message.get_body(preferencelist=(kind,))
    except (KeyError, ValueError, TypeError, LookupError):  # pragma: no cover - malformed MIME
        return None


def body_text(message: EmailMessage) -> str:
    """The text the person wrote: the text/plain body, else the text/html one as plain text."""
    plain = _body_part(message, "plain")
    if plain is not None and (text := part_text(plain).strip()):
        return text
    html = _body_part(message, "html")
    if html is not None:
        return html_to_text(part_text(html))
    return ""


def attachments(message: EmailMessage) -> Iterator[tuple[str, bytes]]:
    """(file name, content) of every part that is not the text body: attachments and inline
    images. The HTML twin of a text body is not an attachment."""
    bodies = {id(part) for kind in ("plain", "html") if (part := _body_part(message, kind))}
    for part in message.walk():
        if part.is_multipart() or id(part) in bodies:
            continue
        try:
            name = clean(part.get_filename() or "").strip()
        except (LookupError, ValueError, TypeError):
            name = ""
        content_type = part.get_content_type()
        if not name and content_type.startswith("text/"):
            continue
        try:
            content = part.get_payload(decode=True)
        except (ValueError, TypeError, LookupError):  # pragma: no cover
            content = None
        yield name or content_type.replace("/", "."), content if isinstance(content, bytes) else b""


# --- Who, which thread, and whether a person wrote it --------------------------------------


def message_ids(text: str) -> list[str]:
    return _MESSAGE_ID.findall(text)


def tracking_codes(subject: str) -> list[str]:
    """Tracking codes (stored form) written in a subject as XXXXX-XXXXX."""
    found = (normalise_tracking_code(match) for match in _CODE_IN_SUBJECT.findall(subject))
    return [code for code in found if code]


def thread_ids(message: Message) -> list[str]:
    """The Message-IDs a reply points at, the nearest first (In-Reply-To, then References
    from the end)."""
    ids = message_ids(header(message, "in-reply-to"))
    ids += reversed(message_ids(header(message, "references")))
    return list(dict.fromkeys(ids))


def sender(message: Message) -> tuple[str, str]:
    """(display name, address) of From."""
    name, address = parseaddr(header(message, "from"))
    return name.strip().strip('"').strip(), address.strip().lower()


_AUTOMATIC_PRECEDENCE = {"bulk", "junk", "auto_reply", "list"}
_DAEMONS = {"mailer-daemon", "postmaster"}


def automatic(message: Message) -> str | None:
    """Why the message was written by a machine (an auto-reply, a bounce, a list), or None
    when a person wrote it. RFC 3834 and the headers common mail programs add instead."""
    auto_submitted = header(message, "auto-submitted").split(";")[0].strip().lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted}"
    for name in ("x-autoreply", "x-autorespond"):
        if message.get(name) is not None:
            return name
    precedence = header(message, "precedence").lower()
    if precedence in _AUTOMATIC_PRECEDENCE:
        return f"Precedence: {precedence}"
    if message.get_content_type() == "multipart/report":
        return "multipart/report"
    return_paths = message.get_all("return-path", failobj=[])
    if return_paths and clean(str(return_paths[-1])).strip() == "<>":
        return "Return-Path: <>"
    addresses = [address for _name, address in getaddresses([header(message, "from")])]
    if any(address.split("@")[0].lower() in _DAEMONS for address in addresses):
        return "sent by a mail daemon"
    return None


# --- What is stored before anything else ---------------------------------------------------


@dataclass(frozen=True)
class Envelope:
    external_id: str
    sender: str
    headers: dict[str, str]


def envelope(raw: bytes) -> Envelope:
    """What `do_receive_message` needs, read from the headers only: the Message-ID (or a hash
    of the bytes when it is missing or unusable), the From address and the headers kept.
    Never raises: what arrived must be stored whatever it is."""
    digest = "sha256:" + hashlib.sha256(raw).hexdigest()
    try:
        message = BytesHeaderParser(policy=policy.default).parsebytes(raw)
        headers = {name: value for name in KEPT_HEADERS if (value := header(message, name))}
        ids = message_ids(headers.get("message-id", ""))
        _name, address = sender(message)
    except Exception:  # the message is then stored under its hash, and parsed later
        return Envelope(digest, "", {})
    external_id = ids[0] if ids and len(ids[0]) <= 255 else digest
    return Envelope(external_id, address[:255], headers)
