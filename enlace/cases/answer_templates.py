"""The answer templates an institution starts with (enlace/catalogues/data/answer_templates.toml):
`manage.py load_catalogues` adds those missing through the catalogues' registry of extra loaders
(registered in CasesConfig.ready(): the catalogues may not import the cases, which keep the
templates). A template that exists, by name, is never changed: once loaded, the texts are the
office's to rewrite in the administration."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from enlace.cases.models import AnswerTemplate
from enlace.catalogues.loading import ANSWER_TEMPLATES_FILE, read_answer_templates
from enlace.catalogues.models import OpinionType


def load_answer_templates(path: Path | None = None) -> int:
    """Create the templates of the file that no template's name matches; returns how many."""
    entries = read_answer_templates(path or ANSWER_TEMPLATES_FILE)
    types = {t.code: t for t in OpinionType.objects.all()}
    with transaction.atomic():
        existing = set(AnswerTemplate.objects.values_list("name", flat=True))
        missing = [
            AnswerTemplate(
                name=entry.name,
                body=entry.body,
                opinion_type=types[entry.opinion_type] if entry.opinion_type else None,
            )
            for entry in entries
            if entry.name not in existing
        ]
        AnswerTemplate.objects.bulk_create(missing)
    return len(missing)
