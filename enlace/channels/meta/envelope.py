"""What is inside a webhook's envelope: pure functions over the decoded JSON, no database.

WhatsApp (`"object": "whatsapp_business_account"`) puts messages and statuses in
`entry[].changes[].value`; Messenger (`"object": "page"`) puts events in `entry[].messaging[]`.
Each message or status becomes one `Item`, named by the id the platform gave it, so the same
delivery twice is the same rows. A malformed part yields no item rather than an exception: what
arrived is stored whole anyway.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from enlace.cases.rules import TRACKING_ALPHABET, normalise_tracking_code
from enlace.channels.meta.platforms import FACEBOOK, WHATSAPP

MESSAGE = "message"
STATUS = "status"

# The statuses WhatsApp reports of what we sent, and Messenger's two.
STATUSES = ("sent", "delivered", "read", "failed")
WHATSAPP_MEDIA = ("image", "document", "audio", "video", "sticker")
MESSENGER_MEDIA = ("image", "video", "audio", "file")


@dataclass(frozen=True)
class Media:
    kind: str  # image, document, audio, video, ...
    name: str
    media_id: str = ""  # WhatsApp: fetched through GET /{media-id}
    url: str = ""  # Messenger: the attachment's own URL


@dataclass(frozen=True)
class Item:
    external_id: str
    sender: str
    kind: str  # MESSAGE or STATUS
    data: dict[str, Any]
    sender_name: str = ""
    media: tuple[Media, ...] = field(default=())
    text: str = ""


def _dicts(value: object) -> Iterator[dict[str, Any]]:
    if isinstance(value, list):
        yield from (item for item in value if isinstance(item, dict))


def _str(value: object) -> str:
    return value if isinstance(value, str) else str(value) if isinstance(value, int) else ""


def items(code: str, payload: object) -> list[Item]:
    """The messages and statuses of one delivery, in order."""
    if not isinstance(payload, dict):
        return []
    found = _whatsapp(payload) if code == WHATSAPP else _messenger(payload)
    return [item for item in found if item.external_id]


def _whatsapp(payload: dict[str, Any]) -> Iterator[Item]:
    for entry in _dicts(payload.get("entry")):
        for change in _dicts(entry.get("changes")):
            value = change.get("value")
            if not isinstance(value, dict):
                continue
            names = {
                _str(contact.get("wa_id")): _str((contact.get("profile") or {}).get("name"))
                for contact in _dicts(value.get("contacts"))
                if isinstance(contact.get("profile") or {}, dict)
            }
            for message in _dicts(value.get("messages")):
                sender = _str(message.get("from"))
                yield Item(
                    external_id=_str(message.get("id")),
                    sender=sender,
                    kind=MESSAGE,
                    data=message,
                    sender_name=names.get(sender, ""),
                    media=_whatsapp_media(message),
                    text=_whatsapp_text(message),
                )
            for status in _dicts(value.get("statuses")):
                message_id, state = _str(status.get("id")), _str(status.get("status"))
                if message_id and state:
                    yield Item(
                        external_id=f"status:{message_id}:{state}",
                        sender=_str(status.get("recipient_id")),
                        kind=STATUS,
                        data=status,
                    )


def _whatsapp_text(message: dict[str, Any]) -> str:
    kind = _str(message.get("type"))
    body = message.get(kind)
    if not isinstance(body, dict):
        return ""
    if kind == "text":
        return _str(body.get("body"))
    if kind in WHATSAPP_MEDIA:
        return _str(body.get("caption"))
    if kind == "button":
        return _str(body.get("text"))
    if kind == "interactive":
        for reply in ("button_reply", "list_reply"):
            if isinstance(body.get(reply), dict):
                return _str(body[reply].get("title"))
    return ""


def _whatsapp_media(message: dict[str, Any]) -> tuple[Media, ...]:
    kind = _str(message.get("type"))
    body = message.get(kind)
    if kind not in WHATSAPP_MEDIA or not isinstance(body, dict) or not _str(body.get("id")):
        return ()
    name = _str(body.get("filename")) or f"whatsapp-{kind}"
    return (Media(kind=kind, name=name, media_id=_str(body["id"])),)


def _messenger(payload: dict[str, Any]) -> Iterator[Item]:
    for entry in _dicts(payload.get("entry")):
        for event in _dicts(entry.get("messaging")):
            sender = _str((event.get("sender") or {}).get("id"))
            message = event.get("message")
            if isinstance(message, dict):
                yield Item(
                    external_id=_str(message.get("mid")),
                    sender=sender,
                    kind=MESSAGE,
                    data=event,
                    media=tuple(
                        Media(
                            kind=_str(attachment.get("type")),
                            name=f"messenger-{_str(attachment.get('type'))}",
                            url=_str((attachment.get("payload") or {}).get("url")),
                        )
                        for attachment in _dicts(message.get("attachments"))
                        if attachment.get("type") in MESSENGER_MEDIA
                        and isinstance(attachment.get("payload"), dict)
                        and _str(attachment["payload"].get("url"))
                    ),
                    text=_str(message.get("text")),
                )
            delivery = event.get("delivery")
            if isinstance(delivery, dict):
                for mid in delivery.get("mids") or []:
                    if isinstance(mid, str) and mid:
                        yield Item(
                            external_id=f"status:{mid}:delivered",
                            sender=sender,
                            kind=STATUS,
                            data={"id": mid, "status": "delivered"},
                        )
            read = event.get("read")
            if isinstance(read, dict) and read.get("watermark"):
                watermark = _str(read.get("watermark"))
                yield Item(
                    external_id=f"status:read:{sender}:{watermark}",
                    sender=sender,
                    kind=STATUS,
                    data={"status": "read", "watermark": watermark, "recipient": sender},
                )


def is_echo(code: str, item: Item) -> bool:
    """Messenger repeats what the page itself sent: not the citizen's."""
    message = item.data.get("message")
    return code == FACEBOOK and isinstance(message, dict) and bool(message.get("is_echo"))


# Ten symbols of the tracking alphabet, optionally split 5-5 by a dash or a space, standing alone.
_CODE_IN_TEXT = re.compile(
    rf"(?<![0-9A-Z])([{TRACKING_ALPHABET}]{{5}}[\s-]?[{TRACKING_ALPHABET}]{{5}})(?![0-9A-Z])",
    re.IGNORECASE,
)


def tracking_codes(text: str) -> list[str]:
    """The tracking codes a message quotes (stored form), in order, at most three."""
    codes: list[str] = []
    for match in _CODE_IN_TEXT.finditer(text):
        code = normalise_tracking_code(match.group(1))
        if code and code not in codes:
            codes.append(code)
    return codes[:3]
