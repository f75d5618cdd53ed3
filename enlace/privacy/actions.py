"""Every write of data protection: the people's requests over their data (register, search,
export, rectify, cancel, extend, answer, refuse), breaches (register, notify, close), and the
review of an unusual access. Each runs in one transaction and writes its history row."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enlace.core.errors import BusinessError
from enlace.directory.calendar import business_calendar
from enlace.privacy import access, history, registry, rules, sweeper
from enlace.privacy.models import (
    OPEN_SUBJECT_STATUSES,
    AccessVia,
    Breach,
    BreachEventKind,
    BreachStatus,
    RightKind,
    SubjectEventKind,
    SubjectRequest,
    SubjectRequestChannel,
    SubjectRequestCounter,
    SubjectRequestStatus,
    UnusualAccess,
)


@dataclass(frozen=True)
class NewSubjectRequest:
    kind: str
    channel: str
    requester_name: str
    description: str
    dui: str = ""  # normalised by the caller's form (########-#)
    email: str = ""
    phone: str = ""  # E.164
    received_at: datetime | None = None
    intake_token: uuid.UUID | None = None


def identifiers_of(request: SubjectRequest) -> registry.Identifiers:
    return registry.Identifiers(dui=request.dui, email=request.email.lower(), phone=request.phone)


def _next_number(year: int) -> str:
    counter = SubjectRequestCounter.objects.select_for_update().filter(year=year).first()
    if counter is None:
        try:
            with transaction.atomic():
                SubjectRequestCounter.objects.create(year=year, last=0)
        except IntegrityError:
            pass  # another request made the row first
        counter = SubjectRequestCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return rules.format_number(year, counter.last)


def _locked(request: SubjectRequest) -> SubjectRequest:
    return SubjectRequest.objects.select_for_update().get(pk=request.pk)


def _require_open(request: SubjectRequest) -> None:
    if request.status not in OPEN_SUBJECT_STATUSES:
        raise BusinessError(_("This request is already answered."))


def do_register_subject_request(
    data: NewSubjectRequest, *, acting_user: Any
) -> tuple[SubjectRequest, bool]:
    """Register a request: its number, its legal due date (20 business days), its receipt to
    the requester. The same form token twice is the same request (False: not created now)."""
    if data.kind not in RightKind.values:
        raise BusinessError(_("Choose the right the person exercises."), field="kind")
    if data.channel not in SubjectRequestChannel.values:
        raise BusinessError(_("Unknown channel."), field="channel")
    if not data.requester_name.strip():
        raise BusinessError(_("Write the person's name."), field="requester_name")
    if not data.description.strip():
        raise BusinessError(_("Write what the person asks."), field="description")
    if not (data.dui or data.email or data.phone):
        raise BusinessError(
            _("Give a DUI, an e-mail or a phone: without one, the person's data cannot be found."),
            field="dui",
        )
    received_at = data.received_at or timezone.now()
    received_on = timezone.localdate(received_at)
    with transaction.atomic():
        if data.intake_token is not None:
            existing = SubjectRequest.objects.filter(intake_token=data.intake_token).first()
            if existing is not None:
                return existing, False
        calendar = business_calendar(received_on)
        request = SubjectRequest(
            number=_next_number(received_on.year),
            kind=data.kind,
            channel=data.channel,
            requester_name=data.requester_name.strip(),
            dui=data.dui,
            email=data.email.strip(),
            phone=data.phone,
            description=data.description.strip(),
            received_at=received_at,
            received_on=received_on,
            due_on=rules.request_due_on(calendar, received_on, extended=False),
            intake_token=data.intake_token,
            created_by=acting_user,
        )
        sweeper.plan_request_alerts(request, timezone.localdate())
        request.save()
        history.record(
            request,
            SubjectEventKind.RECEIVED,
            acting_user,
            to_status=SubjectRequestStatus.RECEIVED,
        )
    return request, True


def do_search_subject(
    request: SubjectRequest, *, acting_user: Any
) -> list[tuple[registry.Holder, list[registry.Found]]]:
    """Everything Enlace keeps about the requester, found by their identifiers in every app
    that holds personal data; the search is in the access log and the request's history."""
    identifiers = identifiers_of(request)
    found = registry.find_everything(identifiers)
    with transaction.atomic():
        request = _locked(request)
        _log(acting_user, AccessVia.SUBJECT_SEARCH, found, identifiers)
        counts = {str(holder.label): len(records) for holder, records in found}
        changes = {}
        if request.status == SubjectRequestStatus.RECEIVED:
            request.status = SubjectRequestStatus.IN_PROCESS
            request.save(update_fields=["status", "updated_at"])
            changes = {
                "status": {
                    "from": str(SubjectRequestStatus.RECEIVED.label),
                    "to": str(SubjectRequestStatus.IN_PROCESS.label),
                }
            }
        history.record(
            request,
            SubjectEventKind.SEARCHED,
            acting_user,
            note=", ".join(f"{label}: {count}" for label, count in counts.items()),
            changes=changes,
        )
    return found


def _log(
    user: Any,
    via: str,
    found: Sequence[tuple[registry.Holder, list[registry.Found]]],
    identifiers: registry.Identifiers,
) -> None:
    records = [record for _holder, records in found for record in records]
    access.record(
        user,
        via,
        case_ids=[r.object_id for r in records if r.logged_as == "case"],
        request_ids=[r.object_id for r in records if r.logged_as == "information_request"],
        subject=identifiers.described(),
    )


def do_record_export(
    request: SubjectRequest,
    found: Sequence[tuple[registry.Holder, list[registry.Found]]],
    export_format: str,
    *,
    acting_user: Any,
) -> None:
    """An export of the person's data (JSON or PDF) was made: logged, in its history."""
    with transaction.atomic():
        request = _locked(request)
        _log(acting_user, AccessVia.SUBJECT_EXPORT, found, identifiers_of(request))
        history.record(request, SubjectEventKind.EXPORTED, acting_user, note=export_format)


def _of_requester(
    request: SubjectRequest, holder: registry.Holder, ids: Sequence[int]
) -> list[int]:
    """The ids, checked to be records the holder finds for this request's person: a form
    cannot reach anyone else's."""
    theirs = {found.object_id for found in holder.find(identifiers_of(request))}
    if not ids or not set(ids) <= theirs:
        raise BusinessError(_("Choose among the records found for this person."))
    return list(dict.fromkeys(ids))


def do_rectify(
    request: SubjectRequest,
    holder_code: str,
    ids: Sequence[int],
    values: dict[str, str],
    *,
    acting_user: Any,
) -> int:
    """Correct the person's identity on their records of one holder (a rectification)."""
    holder = registry.HOLDERS.get(holder_code)
    if holder is None or holder.rectify is None:
        raise BusinessError(_("These records cannot be rectified here."))
    values = {name: value.strip() for name, value in values.items() if value.strip()}
    if not values:
        raise BusinessError(_("Write the corrected data."))
    with transaction.atomic():
        request = _locked(request)
        _require_open(request)
        ids = _of_requester(request, holder, ids)
        changed = holder.rectify(ids, values, acting_user)
        history.record(
            request,
            SubjectEventKind.RECTIFIED,
            acting_user,
            note=f"{holder.label}: {changed}",
            changes={name: {"from": "", "to": value} for name, value in values.items()},
        )
    return changed


def do_cancel(
    request: SubjectRequest, holder_code: str, ids: Sequence[int], *, acting_user: Any
) -> int:
    """Erase the person's data from these records (a cancellation): they are anonymised, what
    the reports count stays."""
    holder = registry.HOLDERS.get(holder_code)
    if holder is None or holder.cancel is None:
        raise BusinessError(_("These records cannot be cancelled here."))
    with transaction.atomic():
        request = _locked(request)
        _require_open(request)
        ids = _of_requester(request, holder, ids)
        erased = holder.cancel(ids, acting_user)
        history.record(
            request, SubjectEventKind.CANCELLED, acting_user, note=f"{holder.label}: {erased}"
        )
    return erased


def do_extend_subject_request(
    request: SubjectRequest, reason: str, *, acting_user: Any
) -> SubjectRequest:
    """Twenty business days more, once, for a recorded reason, before the deadline passes."""
    if not reason.strip():
        raise BusinessError(_("Give the reason for the extension."), field="reason")
    with transaction.atomic():
        request = _locked(request)
        _require_open(request)
        if request.extended:
            raise BusinessError(_("This request has already been extended."))
        today = timezone.localdate()
        if today > request.due_on:
            raise BusinessError(
                _("The deadline passed on %(due)s: it can no longer be extended.")
                % {"due": f"{request.due_on:%d/%m/%Y}"}
            )
        before = request.due_on
        previous = request.status
        request.extended = True
        request.extension_reason = reason.strip()
        request.status = SubjectRequestStatus.EXTENDED
        request.due_on = rules.request_due_on(
            business_calendar(request.received_on), request.received_on, extended=True
        )
        sweeper.plan_request_alerts(request, today)
        request.save()
        history.record(
            request,
            SubjectEventKind.EXTENDED,
            acting_user,
            from_status=previous,
            to_status=request.status,
            note=request.extension_reason,
            changes={"due_on": {"from": f"{before:%d/%m/%Y}", "to": f"{request.due_on:%d/%m/%Y}"}},
        )
    return request


def _close(request: SubjectRequest, status: str, kind: str, answer: str, acting_user: Any) -> None:
    if not answer.strip():
        raise BusinessError(_("Write the answer to the person."), field="answer")
    with transaction.atomic():
        request = _locked(request)
        _require_open(request)
        previous = request.status
        request.status = status
        request.answer = answer.strip()
        request.answered_at = timezone.now()
        request.next_check_at = None
        request.save()
        history.record(
            request, kind, acting_user, from_status=previous, to_status=status, note=request.answer
        )


def do_answer_subject_request(request: SubjectRequest, answer: str, *, acting_user: Any) -> None:
    _close(request, SubjectRequestStatus.ANSWERED, SubjectEventKind.ANSWERED, answer, acting_user)


def do_refuse_subject_request(request: SubjectRequest, reason: str, *, acting_user: Any) -> None:
    """A request the law lets the institute refuse (the data must be kept by law, say), with
    the reason and the recourse the answer states."""
    _close(request, SubjectRequestStatus.REFUSED, SubjectEventKind.REFUSED, reason, acting_user)


# --- Breaches ------------------------------------------------------------------------------
@dataclass(frozen=True)
class NewBreach:
    title: str
    discovered_at: datetime
    description: str
    data_affected: str
    people_affected: int
    measures: str = ""


def do_register_breach(data: NewBreach, *, acting_user: Any) -> Breach:
    if not data.title.strip():
        raise BusinessError(_("Give the breach a title."), field="title")
    if data.discovered_at > timezone.now():
        raise BusinessError(_("The discovery cannot be in the future."), field="discovered_at")
    if not data.description.strip() or not data.data_affected.strip():
        raise BusinessError(_("Say what happened and which data it affected."), field="description")
    with transaction.atomic():
        breach = Breach(
            title=data.title.strip(),
            discovered_at=data.discovered_at,
            description=data.description.strip(),
            data_affected=data.data_affected.strip(),
            people_affected=data.people_affected,
            measures=data.measures.strip(),
            due_at=rules.breach_due_at(data.discovered_at),
            created_by=acting_user,
        )
        sweeper.plan_breach_alerts(breach, timezone.now())
        breach.save()
        history.record_breach(
            breach, BreachEventKind.REGISTERED, acting_user, note=breach.description
        )
    return breach


def do_record_breach_notice(
    breach: Breach, *, authority: bool, people: bool, at: datetime, acting_user: Any
) -> Breach:
    """The authority, the people affected, or both were told, at `at`."""
    if not (authority or people):
        raise BusinessError(_("Say who was told."))
    if at > timezone.now():
        raise BusinessError(_("The notice cannot be in the future."), field="at")
    if at < breach.discovered_at:
        raise BusinessError(_("The notice cannot be before the discovery."), field="at")
    with transaction.atomic():
        breach = Breach.objects.select_for_update().get(pk=breach.pk)
        told = []
        if authority and breach.authority_notified_at is None:
            breach.authority_notified_at = at
            told.append(_("the authority"))
        if people and breach.people_notified_at is None:
            breach.people_notified_at = at
            told.append(_("the people affected"))
        if not told:
            raise BusinessError(_("They were already told."))
        if breach.notified:
            breach.status = BreachStatus.NOTIFIED
            breach.next_check_at = None
        breach.save()
        history.record_breach(breach, BreachEventKind.NOTIFIED, acting_user, note=", ".join(told))
    return breach


def do_close_breach(breach: Breach, note: str, *, acting_user: Any) -> Breach:
    with transaction.atomic():
        breach = Breach.objects.select_for_update().get(pk=breach.pk)
        if breach.status == BreachStatus.CLOSED:
            raise BusinessError(_("This breach is already closed."))
        breach.status = BreachStatus.CLOSED
        breach.closed_at = timezone.now()
        breach.next_check_at = None
        breach.save()
        history.record_breach(breach, BreachEventKind.CLOSED, acting_user, note=note.strip())
    return breach


def do_review_unusual_access(alert: UnusualAccess, *, acting_user: Any) -> UnusualAccess:
    with transaction.atomic():
        alert = UnusualAccess.objects.select_for_update().get(pk=alert.pk)
        if alert.reviewed_at is None:
            alert.reviewed_at = timezone.now()
            alert.reviewed_by = acting_user
            alert.save(update_fields=["reviewed_at", "reviewed_by"])
    return alert
