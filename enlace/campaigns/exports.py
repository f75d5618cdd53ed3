"""A campaign's results for the dependency that asked for it: one row per contact with its
outcome, attempts and the list's own columns (XLSX, write-only: memory bounded by the rows'
width, not their number)."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from enlace.campaigns.models import Campaign, Contact, ContactState, Outcome
from enlace.core.xlsx import header


def results_xlsx(campaign: Campaign) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Contacts")[:31])
    columns: list[str] = []
    for data in Contact.objects.filter(campaign=campaign).values_list("data", flat=True)[:2000]:
        columns += [key for key in data if key not in columns]
    header(
        sheet,
        [
            _("Line"),
            _("Name"),
            _("Phone"),
            _("DUI"),
            _("Affiliation number"),
            *columns,
            _("State"),
            _("Last outcome"),
            _("Rescheduled to"),
            _("Attempts"),
            _("Last attempt"),
            _("Reason left out"),
        ],
    )
    states = dict(ContactState.choices)
    outcomes = dict(Outcome.choices)
    rows = (
        Contact.objects.filter(campaign=campaign)
        .order_by("line", "id")
        .values_list(
            "line",
            "name",
            "phone",
            "dui",
            "affiliation",
            "data",
            "state",
            "last_outcome",
            "rescheduled_to",
            "attempts",
            "last_attempt_at",
            "excluded_reason",
        )
    )
    for row in rows.iterator(chunk_size=2000):
        (line, name, phone, dui, affiliation, data, state, outcome, moved, attempts, last, why) = (
            row
        )
        sheet.append(
            [
                line,
                name,
                phone,
                dui,
                affiliation,
                *(data.get(column, "") for column in columns),
                str(states.get(state, state)),
                str(outcomes.get(outcome, outcome)) if outcome else "",
                timezone.localtime(moved).replace(tzinfo=None) if moved else None,
                attempts,
                timezone.localtime(last).replace(tzinfo=None) if last else None,
                why,
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
