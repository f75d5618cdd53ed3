"""Appeals and complaints before the IAIP, and their decisions."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from enlace.accounts.models import User
from enlace.core.errors import BusinessError
from enlace.oir.actions.common import (
    day_text,
    locked,
    record_event,
    today,
)
from enlace.oir.models import (
    Appeal,
    AppealKind,
    AppealOutcome,
    EventKind,
    InformationRequest,
)


# --- Appeals and complaints before the IAIP ------------------------------------------------
def do_record_appeal(
    request: InformationRequest,
    *,
    kind: str,
    case_number: str,
    filed_on: date,
    notes: str = "",
    acting_user: User,
) -> Appeal:
    if kind not in AppealKind.values:
        raise BusinessError(_("Choose appeal or complaint."), field="kind")
    case_number = case_number.strip()
    if not case_number:
        raise BusinessError(_("Write the IAIP's case number."), field="case_number")
    with transaction.atomic():
        request = locked(request)
        if filed_on < request.received_on:
            raise BusinessError(
                _("It cannot be filed before the request was received."), field="filed_on"
            )
        if filed_on > today():
            raise BusinessError(_("The filing date is in the future."), field="filed_on")
        if kind == AppealKind.APPEAL and request.is_open:
            raise BusinessError(_("An appeal is against a resolution: this request has none yet."))
        if Appeal.objects.filter(case_number__iexact=case_number).exists():
            raise BusinessError(
                _("That IAIP case number is already recorded."), field="case_number"
            )
        appeal = Appeal.objects.create(
            request=request,
            kind=kind,
            case_number=case_number,
            filed_on=filed_on,
            notes=notes.strip(),
        )
        record_event(
            request,
            EventKind.APPEAL,
            acting_user,
            note=notes.strip(),
            changes={
                "appeal": {"from": "", "to": f"{AppealKind(kind).label} {case_number}"},
                "filed_on": {"from": "", "to": day_text(filed_on)},
            },
        )
        request.save(update_fields=["updated_at"])
    return appeal


APPEAL_OUTCOMES = {
    AppealKind.APPEAL: {
        AppealOutcome.CONFIRMED,
        AppealOutcome.REVOKED,
        AppealOutcome.MODIFIED,
        AppealOutcome.INADMISSIBLE,
        AppealOutcome.WITHDRAWN,
    },
    AppealKind.COMPLAINT: {
        AppealOutcome.UPHELD,
        AppealOutcome.DISMISSED,
        AppealOutcome.INADMISSIBLE,
        AppealOutcome.WITHDRAWN,
    },
}


def do_decide_appeal(
    appeal: Appeal, *, outcome: str, decided_on: date, notes: str = "", acting_user: User
) -> Appeal:
    with transaction.atomic():
        request = locked(appeal.request)
        appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
        if appeal.decided_on is not None:
            raise BusinessError(_("The IAIP's decision is already recorded."))
        if outcome not in APPEAL_OUTCOMES[AppealKind(appeal.kind)]:
            raise BusinessError(_("Choose the IAIP's decision."), field="outcome")
        if decided_on < appeal.filed_on:
            raise BusinessError(
                _("The decision cannot be dated before the filing."), field="decided_on"
            )
        if decided_on > today():
            raise BusinessError(_("The date of the decision is in the future."), field="decided_on")
        appeal.outcome = outcome
        appeal.decided_on = decided_on
        if notes.strip():
            appeal.notes = "\n\n".join(p for p in (appeal.notes, notes.strip()) if p)
        appeal.save()
        record_event(
            request,
            EventKind.APPEAL_DECIDED,
            acting_user,
            note=notes.strip(),
            changes={
                "appeal": {"from": appeal.case_number, "to": str(AppealOutcome(outcome).label)},
                "decided_on": {"from": "", "to": day_text(decided_on)},
            },
        )
        request.save(update_fields=["updated_at"])
    return appeal
