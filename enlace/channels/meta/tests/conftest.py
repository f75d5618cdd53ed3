"""What the Meta tests share: the platforms configured, a local server standing in for the Graph
API, the documented payloads, and signed posts to the webhooks."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

PAYLOADS = Path(__file__).parent / "payloads"
WA_SECRET = "secreto-de-la-app-whatsapp"
FB_SECRET = "secreto-de-la-app-facebook"
WA_TOKEN = "EAAG-token-de-whatsapp"
FB_TOKEN = "EAAG-token-de-la-pagina"
PHONE_NUMBER_ID = "106540352242922"
PAGE_ID = "682498302938465"

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64
PROGRAM = b"MZ\x90\x00\x03" + b"\x00" * 100  # a Windows program, sent as a photo


def payload(name: str) -> Any:
    return json.loads((PAYLOADS / f"{name}.json").read_text(encoding="utf-8"))


def whatsapp_message(payload_data: Any) -> Any:
    return payload_data["entry"][0]["changes"][0]["value"]["messages"][0]


def messenger_event(payload_data: Any) -> Any:
    return payload_data["entry"][0]["messaging"][0]


def whatsapp_text(text: str, *, wamid: str = "wamid.TEST1", sender: str = "50371234567"):
    data = payload("whatsapp_text")
    message = whatsapp_message(data)
    message.update({"id": wamid, "from": sender})
    message["text"]["body"] = text
    data["entry"][0]["changes"][0]["value"]["contacts"][0]["wa_id"] = sender
    return data


def messenger_text(text: str, *, mid: str = "m_TEST1", psid: str = "7345120046721955"):
    data = payload("messenger_text")
    event = messenger_event(data)
    event["sender"]["id"] = psid
    event["message"].update({"mid": mid, "text": text})
    return data


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post(plugin: str, data: Any, *, signature: str | None = "valid", client: Client | None = None):
    body = data if isinstance(data, bytes) else json.dumps(data).encode()
    headers: dict[str, Any] = {}
    if signature == "valid":
        headers["HTTP_X_HUB_SIGNATURE_256"] = sign(
            body, WA_SECRET if plugin == "whatsapp" else FB_SECRET
        )
    elif signature is not None:
        headers["HTTP_X_HUB_SIGNATURE_256"] = signature
    return (client or Client()).post(
        f"/canales/{plugin}/webhook/", body, content_type="application/json", **headers
    )


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class GraphServer:
    """A local HTTP server answering like the Graph API. `answers[(method, path)]` is a list of
    (status, content type, body): each request takes the first, the last one stays."""

    url: str = ""
    answers: dict[tuple[str, str], list[tuple[int, str, bytes]]] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)

    def answer(self, method: str, path: str, *responses: tuple[int, Any]) -> None:
        self.answers[(method, path)] = [
            (status, "application/octet-stream", body)
            if isinstance(body, bytes)
            else (status, "application/json", json.dumps(body).encode())
            for status, body in responses
        ]

    def media(self, media_id: str, content: bytes) -> None:
        """WhatsApp's two steps: the media's description, then its bytes."""
        self.answer(
            "GET",
            f"/v21.0/{media_id}",
            (
                200,
                {"url": f"{self.url}/media/{media_id}", "mime_type": "image/jpeg", "id": media_id},
            ),
        )
        self.answer("GET", f"/media/{media_id}", (200, content))

    def take(self, method: str, path: str) -> tuple[int, str, bytes]:
        queue = self.answers.get((method, path))
        if not queue:
            return 404, "application/json", b'{"error": {"message": "Unknown path", "code": 803}}'
        return queue.pop(0) if len(queue) > 1 else queue[0]


@pytest.fixture
def graph():
    server_state = GraphServer()

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            server_state.requests.append(
                Recorded(self.command, self.path, dict(self.headers.items()), body)
            )
            status, content_type, content = server_state.take(self.command, self.path)
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        do_GET = _serve
        do_POST = _serve

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server_state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server_state
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def meta_settings(settings, graph, tmp_path):
    settings.WHATSAPP_VERIFY_TOKEN = "verificar-whatsapp"
    settings.WHATSAPP_APP_SECRET = WA_SECRET
    settings.WHATSAPP_ACCESS_TOKEN = WA_TOKEN
    settings.WHATSAPP_PHONE_NUMBER_ID = PHONE_NUMBER_ID
    settings.FACEBOOK_VERIFY_TOKEN = "verificar-facebook"
    settings.FACEBOOK_APP_SECRET = FB_SECRET
    settings.FACEBOOK_ACCESS_TOKEN = FB_TOKEN
    settings.FACEBOOK_PAGE_ID = PAGE_ID
    settings.GRAPH_API_URL = f"{graph.url}/v21.0"
    settings.GRAPH_API_TIMEOUT = 5
    settings.MEDIA_ROOT = tmp_path
    return settings
