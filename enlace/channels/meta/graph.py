"""The Graph API, through the standard library: fetch a citizen's media, send a text, send a
WhatsApp template message.

`GRAPH_API_URL` (https://graph.facebook.com/v21.0 by default) is where requests go, so tests
point it at a local server. Every request carries the platform's access token as a bearer
token; a redirect to another host drops it.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from typing import Any

from django.conf import settings

from enlace.channels.meta.envelope import Media
from enlace.channels.meta.platforms import WHATSAPP, Platform


class GraphError(Exception):
    """A request that failed. `permanent` when asking again cannot help (4xx other than 408
    and 429: a bad recipient, an expired token, a closed conversation window)."""

    def __init__(self, message: str, *, status: int | None = None, permanent: bool = False):
        super().__init__(message)
        self.status = status
        self.permanent = permanent


class _SameHostRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: Any,
        code: int,
        msg: str,
        headers: Any,
        newurl: str,
    ) -> urllib.request.Request | None:
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None and urllib.parse.urlsplit(newurl).netloc != req.host:
            new.remove_header("Authorization")
        return new


_opener = urllib.request.build_opener(_SameHostRedirects())


def _request(
    platform: Platform,
    url: str,
    *,
    body: dict[str, Any] | None = None,
    limit: int = 1024 * 1024,
) -> bytes:
    """The response's body (at most `limit` bytes), or GraphError."""
    headers = {"Authorization": f"Bearer {platform.access_token}"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if not url.startswith(("https://", "http://")):
        raise GraphError(f"not a web address: {url[:100]}", permanent=True)
    request = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310 (checked)
    try:
        with _opener.open(request, timeout=settings.GRAPH_API_TIMEOUT) as response:
            return bytes(response.read(limit))
    except urllib.error.HTTPError as error:
        permanent = 400 <= error.code < 500 and error.code not in (408, 429)
        raise GraphError(
            f"HTTP {error.code}: {_error_text(error)}", status=error.code, permanent=permanent
        ) from error
    except (urllib.error.URLError, OSError) as error:
        raise GraphError(f"{type(error).__name__}: {error}") from error


def _error_text(error: urllib.error.HTTPError) -> str:
    """Graph's own message ({"error": {"message": ..., "code": ...}}) when there is one."""
    try:
        payload = json.loads(error.read(64 * 1024))
        detail = payload["error"]
        return f"{detail.get('message', '')} (code {detail.get('code', '?')})"[:500]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return str(error.reason)[:500]


def _json(content: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(content)
    except ValueError as error:
        raise GraphError(f"not JSON: {content[:100]!r}") from error
    if not isinstance(payload, dict):
        raise GraphError(f"unexpected answer: {content[:100]!r}")
    return payload


def fetch_media(platform: Platform, media: Media) -> bytes:
    """The bytes of a citizen's file, at most ATTACHMENT_MAX_BYTES + 1 (so that the check of
    attachments refuses a larger one without it being read whole)."""
    limit = settings.ATTACHMENT_MAX_BYTES + 1
    url = media.url
    if media.media_id:
        # WhatsApp: GET /{media-id} gives a short-lived URL, fetched with the same token.
        quoted = urllib.parse.quote(media.media_id, safe="")
        described = _json(_request(platform, f"{settings.GRAPH_API_URL}/{quoted}"))
        url = str(described.get("url") or "")
    if not url:
        raise GraphError("the media has no address", permanent=True)
    return _request(platform, url, limit=limit)


def send_text(platform: Platform, recipient: str, text: str) -> str:
    """Send a text to the citizen; the platform's id of the message."""
    sender = urllib.parse.quote(platform.sender_id, safe="")
    url = f"{settings.GRAPH_API_URL}/{sender}/messages"
    if platform.code == WHATSAPP:
        body: dict[str, Any] = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": recipient,
            "type": "text",
            "text": {"preview_url": False, "body": text},
        }
    else:
        body = {
            "recipient": {"id": recipient},
            "messaging_type": "RESPONSE",
            "message": {"text": text},
        }
    return _message_id(platform, _json(_request(platform, url, body=body)))


def send_template(
    platform: Platform, recipient: str, name: str, language: str, parameters: Sequence[str]
) -> str:
    """Send a WhatsApp message from an approved template, its body's placeholders filled in
    order; the message's id (wamid...). The only first message WhatsApp allows outside the
    24 hours after a person last wrote."""
    sender = urllib.parse.quote(platform.sender_id, safe="")
    body: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": recipient,
        "type": "template",
        "template": {
            "name": name,
            "language": {"code": language},
            "components": [
                {
                    "type": "body",
                    "parameters": [{"type": "text", "text": value} for value in parameters],
                }
            ],
        },
    }
    url = f"{settings.GRAPH_API_URL}/{sender}/messages"
    return _message_id(platform, _json(_request(platform, url, body=body)))


def _message_id(platform: Platform, answer: dict[str, Any]) -> str:
    if platform.code == WHATSAPP:
        messages = answer.get("messages")
        message_id = messages[0].get("id") if isinstance(messages, list) and messages else None
    else:
        message_id = answer.get("message_id")
    if not isinstance(message_id, str) or not message_id:
        raise GraphError(f"no message id in the answer: {str(answer)[:200]}")
    return message_id
