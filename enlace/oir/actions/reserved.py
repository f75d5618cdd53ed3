"""The index of reserved information: entries created and declassified."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from enlace.accounts.models import User
from enlace.core.errors import BusinessError
from enlace.directory.models import Dependency
from enlace.oir.actions.common import (
    today,
)
from enlace.oir.models import (
    ReservedEntry,
)


# --- The index of reserved information ------------------------------------------------------
@dataclass(frozen=True)
class NewEntry:
    reference: str
    information: str
    dependency: Dependency
    legal_article: str
    cause: str
    classified_on: date
    period_years: int


def do_create_reserved_entry(data: NewEntry, *, acting_user: User) -> ReservedEntry:
    reference = data.reference.strip()
    if not reference:
        raise BusinessError(_("Give the entry a reference."), field="reference")
    if not data.information.strip():
        raise BusinessError(_("Describe the information reserved."), field="information")
    if not data.legal_article.strip():
        raise BusinessError(_("Cite the article of the law."), field="legal_article")
    if not data.cause.strip():
        raise BusinessError(_("State the cause of the reservation."), field="cause")
    if not 1 <= data.period_years <= 7:
        raise BusinessError(
            _("The period of reservation is from 1 to 7 years (art. 20 LAIP)."),
            field="period_years",
        )
    if data.classified_on > today():
        raise BusinessError(
            _("The date of classification is in the future."), field="classified_on"
        )
    with transaction.atomic():
        if ReservedEntry.objects.filter(reference__iexact=reference).exists():
            raise BusinessError(_("That reference is already in the index."), field="reference")
        return ReservedEntry.objects.create(
            reference=reference,
            information=data.information.strip(),
            dependency=data.dependency,
            legal_article=data.legal_article.strip(),
            cause=data.cause.strip(),
            classified_on=data.classified_on,
            period_years=data.period_years,
            created_by=acting_user,
        )


def do_declassify_entry(entry: ReservedEntry, on: date, *, acting_user: User) -> ReservedEntry:
    with transaction.atomic():
        entry = ReservedEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.declassified_on is not None:
            raise BusinessError(_("This entry is already declassified."))
        if on < entry.classified_on or on > today():
            raise BusinessError(
                _("The date must fall between the classification and today."),
                field="declassified_on",
            )
        entry.declassified_on = on
        entry.save(update_fields=["declassified_on"])
    return entry
