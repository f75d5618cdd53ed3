"""Load the catalogues from their data file (create or update by code, never duplicate), and
the rows of higher layers kept with them: the answer templates per opinion type."""

from __future__ import annotations

import string
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from enlace.catalogues.models import (
    CatalogueEntry,
    Channel,
    ChannelGroup,
    InquiryTopic,
    Limitante,
    OpinionType,
)
from enlace.core.errors import BusinessError

DEFAULT_FILE = Path(__file__).parent / "data" / "catalogues.toml"
ANSWER_TEMPLATES_FILE = Path(__file__).parent / "data" / "answer_templates.toml"

SECTIONS: dict[str, type[CatalogueEntry]] = {
    "channel": Channel,
    "opinion_type": OpinionType,
    "limitante": Limitante,
    "inquiry_topic": InquiryTopic,
}


def load_catalogues(
    path: Path = DEFAULT_FILE, *, update_existing: bool = True
) -> dict[str, tuple[int, int]]:
    """Create every catalogue entry of the file that is missing and, with `update_existing`,
    bring the others back to what the file says. Returns {section: (created, updated)}."""
    with path.open("rb") as fh:
        data: dict[str, list[dict[str, Any]]] = tomllib.load(fh)
    unknown = set(data) - set(SECTIONS)
    if unknown:
        raise BusinessError(f"{path.name}: unknown sections {', '.join(sorted(unknown))}")
    result: dict[str, tuple[int, int]] = {}
    with transaction.atomic():
        for section, model in SECTIONS.items():
            created = updated = 0
            existing = set(model._default_manager.values_list("code", flat=True))
            for order, entry in enumerate(data.get(section, []), start=1):
                if entry["code"] in existing and not update_existing:
                    continue
                values: dict[str, Any] = {
                    "name": entry["name"],
                    "sort_order": entry.get("sort_order", order * 10),
                    "is_active": entry.get("is_active", True),
                }
                if model is Channel:
                    if entry.get("report_group") not in ChannelGroup.values:
                        raise BusinessError(
                            f"{path.name}: channel {entry['code']}: bad report_group"
                        )
                    values["report_group"] = entry["report_group"]
                _, was_created = model._default_manager.update_or_create(
                    code=entry["code"], defaults=values
                )
                created += was_created
                updated += not was_created
            result[section] = (created, updated)
    return result


# --- Rows of higher layers loaded with the catalogues ------------------------------------------
# `manage.py load_catalogues` also adds what other apps keep beside the catalogues (the answer
# templates offered per opinion type). Those apps register a function in their AppConfig.ready()
# that adds the rows missing and returns how many it created; this layer knows none of them.
# `migrate` does not run them: the rows are the offices' to edit and delete, and a deleted one
# must not come back at the next release.
_EXTRAS: dict[str, Callable[[], int]] = {}


def register_extra(section: str, load: Callable[[], int]) -> None:
    _EXTRAS[section] = load


def load_extras() -> dict[str, int]:
    """Run every registered loader: {section: rows created}."""
    return {section: load() for section, load in _EXTRAS.items()}


# What a case fills in an answer template (enlace/cases/routing.py, render_template).
ANSWER_PLACEHOLDERS = ("nombre", "codigo", "centro", "fecha", "tipo")


@dataclass(frozen=True)
class AnswerTemplateEntry:
    name: str
    body: str
    opinion_type: str  # a code of the catalogue; "" for every case


def read_answer_templates(path: Path = ANSWER_TEMPLATES_FILE) -> list[AnswerTemplateEntry]:
    """The answer templates of the data file, checked: each has a name of its own and a body,
    names an opinion type that exists (or none), and uses only the placeholders a case fills."""
    with path.open("rb") as fh:
        data: dict[str, list[dict[str, Any]]] = tomllib.load(fh)
    unknown = set(data) - {"answer_template"}
    if unknown:
        raise BusinessError(f"{path.name}: unknown sections {', '.join(sorted(unknown))}")
    types = set(OpinionType.objects.values_list("code", flat=True))
    entries: list[AnswerTemplateEntry] = []
    for number, entry in enumerate(data.get("answer_template", []), start=1):
        where = f"{path.name} answer_template {number}"
        name = str(entry.get("name", "")).strip()
        body = str(entry.get("body", "")).strip()
        code = str(entry.get("opinion_type", "")).strip()
        if not name or not body:
            raise BusinessError(f"{where}: a name and a body are needed")
        if len(name) > 150:
            raise BusinessError(f"{where}: the name is longer than 150 characters")
        if any(seen.name == name for seen in entries):
            raise BusinessError(f"{where}: the name {name!r} is used twice")
        if code and code not in types:
            raise BusinessError(f"{where}: unknown opinion type {code}")
        try:
            fields = {field for _text, field, _spec, _conv in string.Formatter().parse(body)}
        except ValueError as exc:
            raise BusinessError(f"{where}: {exc}") from exc
        strange = sorted(str(f) for f in fields - {None, *ANSWER_PLACEHOLDERS})
        if strange:
            raise BusinessError(f"{where}: unknown placeholders {', '.join(strange)}")
        entries.append(AnswerTemplateEntry(name=name, body=body, opinion_type=code))
    return entries
