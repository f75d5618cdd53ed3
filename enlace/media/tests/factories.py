"""News items for the tests, registered through the real action."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone

from enlace.accounts.models import User
from enlace.directory.models import Dependency
from enlace.media.actions import NewNewsItem, do_register_news_item
from enlace.media.models import MediaTopic, Medium, NewsItem, Outlet

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x03\x00\x08\xfc\x02\xfe\xa7\x9a\xa0"
    b"\xa0\x00\x00\x00\x00IEND\xaeB`\x82"
)
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def outlet(
    code: str = "lpg", name: str = "La Prensa Gráfica", medium: str = Medium.PRESS
) -> Outlet:
    found, _created = Outlet.objects.get_or_create(
        code=code, defaults={"name": name, "medium": medium}
    )
    return found


def topic(code: str = "medicamentos") -> MediaTopic:
    return MediaTopic.objects.get(code=code)


def item(by: User, **values: Any) -> NewsItem:
    centre = values.pop("centre", None)
    data: dict[str, Any] = {
        "outlet": values.pop("outlet", None) or outlet(),
        "published_on": values.pop("published_on", timezone.localdate()),
        "headline": "Derechohabientes reportan falta de medicamentos",
        "topic": values.pop("topic", None) or topic(),
        "tone": "negative",
        "dependency": Dependency.objects.get(code=centre) if centre else None,
    }
    data.update(values)
    return do_register_news_item(NewNewsItem(**data), acting_user=by)


def on(day: str) -> date:
    return date.fromisoformat(day)
