"""Every write to a case is one of these actions.

An action runs in one transaction, locks the case row it changes, checks the lifecycle and the
business rules, writes the case and its event row together, and returns. Views, commands, the
API and tasks call these; none of them saves a case itself.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from enlace.accounts.models import User
from enlace.cases import deadlines, history, queries
from enlace.cases import files as case_files
from enlace.cases.lifecycle import FINAL_STATUSES, CaseKind, CaseStatus, check_transition
from enlace.cases.models import (
    Case,
    CaseEvent,
    CaseFile,
    DeadlineStep,
    EventKind,
    Priority,
    SavedView,
)
from enlace.cases.rules import new_case_problems, new_tracking_code, search_text
from enlace.catalogues.models import Channel, InquiryTopic, Limitante, OpinionType
from enlace.core.errors import BusinessError
from enlace.directory.models import Dependency


@dataclass(frozen=True)
class Citizen:
    """The person, already validated and normalised (see enlace/cases/rules.py)."""

    name: str = ""
    dui: str = ""
    affiliation: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class NewCase:
    kind: str
    channel: Channel
    description: str = ""
    opinion_type: OpinionType | None = None
    dependency: Dependency | None = None
    limitante: Limitante | None = None
    topic: InquiryTopic | None = None
    citizen: Citizen = Citizen()
    # For an inquiry: answered during the contact, so it closes at once with this answer.
    answered_at_first_contact: bool = False
    answer: str = ""
    received_at: datetime | None = None
    intake_token: uuid.UUID | None = None
    priority: str = Priority.NORMAL
    patient_safety: bool = False
    escalated_from: Case | None = None
    # From a channel where the citizen wrote freely: registered as an opinion to classify,
    # without type, topic or centre, which triage (`do_classify_case`) gives it.
    to_classify: bool = False


def _event(case: Case, kind: str, actor: User | None, **fields: Any) -> CaseEvent:
    return history.record(case, kind, actor, **fields)


def _check_new_case(data: NewCase) -> None:
    """What a new case needs (`rules.new_case_problems`), and a centre still active."""
    problems = new_case_problems(
        data.kind,
        opinion_type=data.opinion_type is not None,
        dependency=data.dependency is not None,
        topic=data.topic is not None,
        limitante=data.limitante is not None,
        description=data.description,
        to_classify=data.to_classify,
        answered_at_first_contact=data.answered_at_first_contact,
        answer=data.answer,
    )
    if problems:
        field, message = problems[0]
        raise BusinessError(message, field=field or None)
    if data.dependency is not None and not data.dependency.is_active:
        raise BusinessError(_("That centre is no longer active."), field="dependency")


def do_register_case(data: NewCase, *, acting_user: User | None) -> tuple[Case, bool]:
    """Register an opinion or an inquiry. Returns (case, created).

    With an `intake_token` the registration is idempotent: a second call with the same token
    returns the case the first one made, and `created` is False. (The token's unique
    constraint finds the second call: its INSERT fails and the first case is read then, so a
    first call pays no look-up.)

    Its deadlines are planned before the case is written, so the case's INSERT carries its
    next due date and the deadline rows go in one INSERT."""
    try:
        _check_new_case(data)
    except BusinessError:
        existing = _registered_with(data.intake_token)
        if existing is not None:
            return existing, False
        raise
    now = timezone.now()
    closes_now = data.kind == CaseKind.INQUIRY and data.answered_at_first_contact
    for _attempt in range(5):
        try:
            with transaction.atomic():
                case = Case(
                    kind=data.kind,
                    tracking_code=new_tracking_code(),
                    status=CaseStatus.CLOSED if closes_now else CaseStatus.RECEIVED,
                    channel=data.channel,
                    opinion_type=data.opinion_type,
                    dependency=data.dependency,
                    level_of_care=data.dependency.level_of_care if data.dependency else "",
                    limitante=data.limitante,
                    topic=data.topic,
                    citizen_name=data.citizen.name.strip(),
                    citizen_dui=data.citizen.dui,
                    citizen_affiliation=data.citizen.affiliation,
                    citizen_phone=data.citizen.phone,
                    citizen_email=data.citizen.email,
                    description=data.description.strip(),
                    answer=data.answer.strip() if closes_now else "",
                    resolved_at_first_contact=closes_now,
                    search_text=search_text(data.citizen.name, data.description),
                    received_at=data.received_at or now,
                    closed_at=now if closes_now else None,
                    created_by=acting_user,
                    intake_token=data.intake_token,
                    priority=data.priority,
                    patient_safety=data.patient_safety,
                    escalated_from=data.escalated_from,
                    to_classify=data.to_classify,
                    possible_duplicate_of=_possible_duplicate(data, now),
                )
                planned = [] if closes_now else deadlines.plan_new_case(case)
                case.save(force_insert=True)
                deadlines.create_planned(case, planned)
                _event(case, EventKind.REGISTERED, acting_user, to_status=CaseStatus.RECEIVED)
                if closes_now:
                    _event(
                        case,
                        EventKind.CLOSED,
                        acting_user,
                        from_status=CaseStatus.RECEIVED,
                        to_status=CaseStatus.CLOSED,
                        note=case.answer,
                    )
            return case, True
        except IntegrityError:
            # Either the same form arrived twice at once (the token is taken: return that
            # case) or, once in trillions, the random tracking code was taken: draw again.
            existing = _registered_with(data.intake_token)
            if existing is not None:
                return existing, False
    raise BusinessError(_("The case could not be registered; try again."))


def _registered_with(intake_token: uuid.UUID | None) -> Case | None:
    if intake_token is None:
        return None
    return Case.objects.filter(intake_token=intake_token).first()


def _possible_duplicate(data: NewCase, now: datetime) -> Case | None:
    """An open case of the same person about the same centre received in the last
    DUPLICATE_WINDOW_DAYS: shown on intake so the resolution section can merge them."""
    person = Q()
    if data.citizen.dui:
        person |= Q(citizen_dui=data.citizen.dui)
    if data.citizen.phone:
        person |= Q(citizen_phone=data.citizen.phone)
    if not person or data.dependency is None or data.kind != CaseKind.OPINION:
        return None
    since = now - timedelta(days=settings.DUPLICATE_WINDOW_DAYS)
    return (
        Case.objects.filter(person, dependency=data.dependency, received_at__gte=since)
        .exclude(status__in=FINAL_STATUSES)
        .order_by("-received_at")
        .first()
    )


def _locked(case: Case) -> Case:
    """Re-read the case under a row lock, so two people acting at once serialise."""
    return Case.objects.select_for_update().get(pk=case.pk)


def _label(value: object) -> str:
    return str(value) if value is not None else ""


def do_add_comment(case: Case, body: str, *, acting_user: User) -> CaseEvent:
    if not body.strip():
        raise BusinessError(_("The comment is empty."), field="body")
    with transaction.atomic():
        case = _locked(case)
        Case.objects.filter(pk=case.pk).update(updated_at=timezone.now())
        return _event(case, EventKind.COMMENTED, acting_user, note=body.strip())


def do_reclassify_case(
    case: Case,
    *,
    opinion_type: OpinionType | None,
    limitante: Limitante | None,
    topic: InquiryTopic | None,
    acting_user: User,
    priority: str | None = None,
    patient_safety: bool | None = None,
    note: str = "",
) -> Case:
    """Classify the case (type, limitante, topic, priority, patient safety). A new opinion
    type re-plans the open deadlines by the policy of that type."""
    with transaction.atomic():
        case = _locked(case)
        if case.status in FINAL_STATUSES:
            raise BusinessError(_("A closed case cannot be reclassified; reopen it first."))
        if case.kind == CaseKind.OPINION and opinion_type is None:
            raise BusinessError(_("An opinion needs its type."), field="opinion_type")
        if case.kind == CaseKind.INQUIRY and opinion_type is not None:
            raise BusinessError(_("An inquiry has no opinion type."), field="opinion_type")
        new_values: list[tuple[str, object]] = [
            ("opinion_type", opinion_type),
            ("limitante", limitante),
            ("topic", topic),
        ]
        if priority is not None:
            new_values.append(("priority", priority))
        if patient_safety is not None:
            new_values.append(("patient_safety", patient_safety))
        changes: dict[str, dict[str, str]] = {}
        for name, new in new_values:
            old = getattr(case, name)
            if old != new:
                changes[name] = {"from": _display(name, old), "to": _display(name, new)}
                setattr(case, name, new)
        if not changes:
            raise BusinessError(_("Nothing changed."))
        fields = [*changes, "updated_at"]
        if "opinion_type" in changes:
            deadlines.open_deadlines(case)
            fields.append("next_due_on")
        case.save(update_fields=fields)
        _event(case, EventKind.RECLASSIFIED, acting_user, changes=changes, note=note.strip())
    return case


def do_record_citizen_message(
    case: Case, note: str, *, channel: str, changes: dict[str, dict[str, str]] | None = None
) -> Case:
    """The citizen wrote again on their case (a reply by e-mail, WhatsApp, Messenger): the
    message goes on the history, and a case waiting for the citizen resumes."""
    with transaction.atomic():
        case = _locked(case)
        Case.objects.filter(pk=case.pk).update(updated_at=timezone.now())
        _event(case, EventKind.CITIZEN_MESSAGE, None, note=note, changes=changes or {})
        if case.status == CaseStatus.WAITING_CITIZEN:
            case = do_resume_case(
                case,
                acting_user=None,
                note=_("The citizen wrote by %(channel)s.") % {"channel": channel},
            )
    return case


def do_record_case_note(case: Case, note: str) -> None:
    """A note the system adds to a case's history (an attachment it could not keep, say)."""
    _event(case, EventKind.COMMENTED, None, note=note)


def do_classify_case(
    case: Case,
    *,
    kind: str,
    acting_user: User,
    opinion_type: OpinionType | None = None,
    topic: InquiryTopic | None = None,
    dependency: Dependency | None = None,
    limitante: Limitante | None = None,
    note: str = "",
) -> Case:
    """Triage of a case that arrived to classify: say whether it is an opinion (its type and
    the centre it is about) or an inquiry (its topic). Its deadlines are planned again by the
    policy that now applies, counted from when it arrived."""
    with transaction.atomic():
        case = _locked(case)
        if not case.to_classify:
            raise BusinessError(_("This case is already classified; reclassify it instead."))
        if case.status in FINAL_STATUSES:
            raise BusinessError(_("A closed case cannot be reclassified; reopen it first."))
        if kind == CaseKind.OPINION:
            if opinion_type is None:
                raise BusinessError(_("An opinion needs its type."), field="opinion_type")
            if dependency is None:
                raise BusinessError(
                    _("An opinion needs the centre it is about."), field="dependency"
                )
            topic = None
        elif kind == CaseKind.INQUIRY:
            if topic is None:
                raise BusinessError(_("An inquiry needs its topic."), field="topic")
            opinion_type = limitante = None
        else:
            raise BusinessError(_("Unknown kind of case."), field="kind")
        if dependency is not None and not dependency.is_active:
            raise BusinessError(_("That centre is no longer active."), field="dependency")
        changes: dict[str, dict[str, str]] = {}
        for name, new in (
            ("kind", kind),
            ("opinion_type", opinion_type),
            ("topic", topic),
            ("dependency", dependency),
            ("limitante", limitante),
        ):
            old = getattr(case, name)
            if old != new:
                shown_old = str(CaseKind(old).label) if name == "kind" else _label(old)
                shown_new = str(CaseKind(str(new)).label) if name == "kind" else _label(new)
                changes[name] = {"from": shown_old, "to": shown_new}
                setattr(case, name, new)
        case.level_of_care = dependency.level_of_care if dependency else ""
        case.to_classify = False
        deadlines.open_deadlines(case)  # re-plans the open ones by the policy that now applies
        case.save()
        _event(case, EventKind.RECLASSIFIED, acting_user, changes=changes, note=note.strip())
    return case


def _display(name: str, value: object) -> str:
    if name == "priority":
        return str(Priority(str(value)).label)
    if name == "patient_safety":
        return _("yes") if value else _("no")
    return _label(value)


def do_assign_case(
    case: Case, dependency: Dependency, *, acting_user: User, reason: str = ""
) -> Case:
    """Route the case to the centre that must answer it (or transfer it to another one)."""
    if not dependency.is_active:
        raise BusinessError(_("That centre is no longer active."), field="dependency")
    with transaction.atomic():
        case = _locked(case)
        _refuse_while_waiting(case)
        if case.dependency_id == dependency.pk and case.status == CaseStatus.ASSIGNED:
            raise BusinessError(_("The case is already assigned to that centre."))
        check_transition(case.status, CaseStatus.ASSIGNED)
        old_dependency, old_status = case.dependency, case.status
        case.dependency = dependency
        case.level_of_care = dependency.level_of_care
        case.status = CaseStatus.ASSIGNED
        case.save(update_fields=["dependency", "level_of_care", "status", "updated_at"])
        # A centre's person who worked the case does not follow it to another centre.
        old_owner = case.owner
        if old_owner is not None and not queries.sees_case(old_owner, case):
            case.owner = None
            case.save(update_fields=["owner"])
        owner_change = (
            {"owner": {"from": person_label(old_owner), "to": ""}}
            if old_owner is not None and case.owner is None
            else {}
        )
        _event(
            case,
            EventKind.ASSIGNED,
            acting_user,
            from_status=old_status,
            to_status=CaseStatus.ASSIGNED,
            changes={
                "dependency": {
                    "from": _label(old_dependency) if old_dependency != dependency else "",
                    "to": str(dependency),
                },
                **owner_change,
            },
            note=reason.strip(),
        )
    return case


def person_label(user: User | None) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username


def do_set_owner(case: Case, owner: User | None, *, acting_user: User, note: str = "") -> Case:
    """Give the case to a person of the team or centre it is with (`owner_candidates`), take
    it oneself, or leave it to the team again (`owner=None`). The new owner is told (the
    notifications follow the history row)."""
    with transaction.atomic():
        case = _locked(case)
        if not case.is_open:
            raise BusinessError(_("A closed case has no one working on it."))
        if (
            owner is not None
            and not queries.owner_candidates(case, acting_user).filter(pk=owner.pk).exists()
        ):
            raise BusinessError(
                _("%(person)s cannot work on this case: choose someone of its team or centre.")
                % {"person": person_label(owner)},
                field="owner",
            )
        if case.owner_id == (owner.pk if owner is not None else None):
            raise BusinessError(
                _("The case is already with that person.")
                if owner is not None
                else _("Nobody is working on the case already."),
                field="owner",
            )
        old_owner = case.owner
        case.owner = owner
        case.save(update_fields=["owner", "updated_at"])
        _event(
            case,
            EventKind.OWNER_SET,
            acting_user,
            changes={"owner": {"from": person_label(old_owner), "to": person_label(owner)}},
            note=note.strip(),
        )
    return case


def _transition(
    case: Case,
    target: CaseStatus,
    kind: str,
    acting_user: User | None,
    *,
    fields: tuple[str, ...] = (),
    note: str = "",
    changes: dict[str, dict[str, str]] | None = None,
) -> Case:
    """Move a locked case to `target` if the lifecycle allows it, saving `fields` too, and
    write the event. Callers hold the transaction and the row lock."""
    _moved(case, target, kind, acting_user, fields=fields, note=note, changes=changes)
    return case


def do_acknowledge_case(case: Case, *, acting_user: User, note: str = "") -> Case:
    """Acknowledge receipt to the citizen (meets the acknowledgement deadline)."""
    with transaction.atomic():
        case = _locked(case)
        deadlines.meet(case, DeadlineStep.ACKNOWLEDGE)
        _transition(
            case,
            CaseStatus.ACKNOWLEDGED,
            EventKind.ACKNOWLEDGED,
            acting_user,
            fields=("next_due_on",),
            note=note,
        )
    return case


def do_start_assessment(case: Case, *, acting_user: User, note: str = "") -> Case:
    with transaction.atomic():
        case = _locked(case)
        _refuse_while_waiting(case)
        deadlines.meet(case, DeadlineStep.ACKNOWLEDGE)
        return _transition(
            case,
            CaseStatus.IN_ASSESSMENT,
            EventKind.ASSESSING,
            acting_user,
            fields=("next_due_on",),
            note=note,
        )


def _refuse_while_waiting(case: Case) -> None:
    """While the clock is stopped for the citizen, the case moves on only by resuming it, so
    its deadlines never stay frozen after it leaves that state."""
    if case.status == CaseStatus.WAITING_CITIZEN:
        raise BusinessError(_("The case is waiting for the citizen: resume it first."))


def do_propose_answer(
    case: Case,
    answer: str,
    *,
    acting_user: User,
    improvement_action: str = "",
    files: Sequence[case_files.Upload] = (),
) -> Case:
    """The centre proposes the answer to the citizen and, apart, its internal improvement
    action, with the files that go with the answer; the resolution section approves or returns
    the answer. Only the answer (and its files) is ever offered to be sent to the citizen; the
    action stays in the case and its history."""
    if not answer.strip():
        raise BusinessError(_("Write the proposed answer."), field="answer")
    checked = case_files.check(files)  # refused before anything is written
    with transaction.atomic():
        case = _locked(case)
        case.proposed_answer = answer.strip()
        case.proposed_action = improvement_action.strip()
        note = case.proposed_answer
        if case.proposed_action:
            note += "\n\n" + _("Internal improvement action: %(action)s") % {
                "action": case.proposed_action
            }
        event = _moved(
            case,
            CaseStatus.ANSWER_PROPOSED,
            EventKind.ANSWER_PROPOSED,
            acting_user,
            fields=("proposed_answer", "proposed_action"),
            note=note,
        )
        case_files.store(case, event, checked, acting_user=acting_user)
    return case


def do_return_answer(case: Case, reason: str, *, acting_user: User) -> Case:
    """Send a proposed answer back to the centre, saying why."""
    if not reason.strip():
        raise BusinessError(_("Say why the answer is returned."), field="reason")
    with transaction.atomic():
        case = _locked(case)
        if case.status != CaseStatus.ANSWER_PROPOSED:
            raise BusinessError(_("There is no proposed answer to return."))
        return _transition(
            case, CaseStatus.ASSIGNED, EventKind.ANSWER_RETURNED, acting_user, note=reason
        )


def do_answer_case(
    case: Case,
    answer: str,
    *,
    acting_user: User,
    files: Sequence[case_files.Upload] = (),
    proposal_files: Sequence[CaseFile] = (),
) -> Case:
    """Give the citizen the answer (the approved proposal, edited or not), with the files
    attached now and those of the proposal chosen to go too: the answer's e-mail carries them
    (`files.answer_files`). Meets the answer deadline; the case waits for the citizen's
    acceptance before it closes."""
    if not answer.strip():
        raise BusinessError(_("Write the answer given to the citizen."), field="answer")
    checked = case_files.check(files)  # refused before anything is written
    case_files.check_own(case, proposal_files)
    with transaction.atomic():
        case = _locked(case)
        case.answer = answer.strip()
        deadlines.meet(case, DeadlineStep.ACKNOWLEDGE)
        deadlines.meet(case, DeadlineStep.ANSWER)
        event = _moved(
            case,
            CaseStatus.ANSWERED,
            EventKind.ANSWERED,
            acting_user,
            fields=("answer", "next_due_on"),
            note=case.answer,
        )
        case_files.send_again(case, event, proposal_files)
        case_files.store(case, event, checked, acting_user=acting_user)
    return case


def _moved(
    case: Case,
    target: CaseStatus,
    kind: str,
    acting_user: User | None,
    *,
    fields: tuple[str, ...] = (),
    note: str = "",
    changes: dict[str, dict[str, str]] | None = None,
) -> CaseEvent:
    """`_transition`, giving the history row it wrote (what files are attached to)."""
    check_transition(case.status, target)
    old_status = case.status
    case.status = target
    case.save(update_fields=["status", "updated_at", *fields])
    return _event(
        case,
        kind,
        acting_user,
        from_status=old_status,
        to_status=target,
        note=note.strip(),
        changes=changes or {},
    )


def do_close_case(
    case: Case, answer: str = "", *, acting_user: User, accepted: bool | None = None
) -> Case:
    """Close the case. An answered case closes with the answer it has, recording whether the
    citizen accepted it; any other open case needs the answer given to the citizen now."""
    with transaction.atomic():
        case = _locked(case)
        if answer.strip():
            case.answer = answer.strip()
        elif case.status != CaseStatus.ANSWERED or not case.answer:
            raise BusinessError(_("Write the answer given to the citizen."), field="answer")
        check_transition(case.status, CaseStatus.CLOSED)
        case.closed_at = timezone.now()
        case.citizen_accepted = accepted
        deadlines.meet(case, DeadlineStep.ACKNOWLEDGE)
        deadlines.meet(case, DeadlineStep.ANSWER)
        changes = {}
        if accepted is not None:
            changes["citizen_accepted"] = {"from": "", "to": _("yes") if accepted else _("no")}
        _transition(
            case,
            CaseStatus.CLOSED,
            EventKind.CLOSED,
            acting_user,
            fields=("answer", "closed_at", "citizen_accepted", "next_due_on"),
            note=answer.strip() or case.answer,
            changes=changes,
        )
    return case


def do_wait_for_citizen(case: Case, reason: str, *, acting_user: User) -> Case:
    """Ask the citizen for something; the deadline clock stops until they reply."""
    if not reason.strip():
        raise BusinessError(_("Say what is asked of the citizen."), field="reason")
    with transaction.atomic():
        case = _locked(case)
        check_transition(case.status, CaseStatus.WAITING_CITIZEN)
        deadlines.pause(case)
        return _transition(
            case,
            CaseStatus.WAITING_CITIZEN,
            EventKind.WAITING,
            acting_user,
            fields=("paused_on",),
            note=reason,
        )


def do_resume_case(case: Case, *, acting_user: User | None, note: str = "") -> Case:
    """The citizen replied: the case returns to where it was and its deadlines move by the
    business days spent waiting."""
    with transaction.atomic():
        case = _locked(case)
        if case.status != CaseStatus.WAITING_CITIZEN:
            raise BusinessError(_("The case is not waiting for the citizen."))
        waited = case.events.filter(kind=EventKind.WAITING).order_by("-at", "-id").first()
        previous = CaseStatus(waited.from_status) if waited else CaseStatus.IN_ASSESSMENT
        if previous not in (CaseStatus.RECEIVED, CaseStatus.IN_ASSESSMENT, CaseStatus.ASSIGNED):
            previous = CaseStatus.IN_ASSESSMENT
        paused = deadlines.resume(case)
        return _transition(
            case,
            previous,
            EventKind.RESUMED,
            acting_user,
            fields=("paused_on", "paused_days", "next_due_on"),
            note=note,
            changes={"paused_days": {"from": "", "to": str(paused)}},
        )


def do_reopen_case(case: Case, reason: str, *, acting_user: User) -> Case:
    """Reopen a closed or answered case (the citizen did not accept the answer, say). A new
    answer deadline counts from today."""
    if not reason.strip():
        raise BusinessError(_("Say why the case is reopened."), field="reason")
    with transaction.atomic():
        case = _locked(case)
        check_transition(case.status, CaseStatus.REOPENED)
        case.closed_at = None
        case.deadlines.filter(step=DeadlineStep.ANSWER).delete()
        original_received = case.received_at
        case.received_at = timezone.now()  # the new deadline counts from the reopening
        deadlines.open_deadlines(case, steps=(DeadlineStep.ANSWER,))
        case.received_at = original_received
        return _transition(
            case,
            CaseStatus.REOPENED,
            EventKind.REOPENED,
            acting_user,
            fields=("closed_at", "next_due_on"),
            note=reason,
        )


def do_merge_case(case: Case, into: Case, *, acting_user: User) -> Case:
    """Merge a duplicate into the case that carries on; its deadlines end."""
    if case.pk == into.pk:
        raise BusinessError(_("A case cannot be merged into itself."), field="into")
    if into.status in FINAL_STATUSES:
        raise BusinessError(_("Merge into a case that is still open."), field="into")
    with transaction.atomic():
        case = _locked(case)
        case.merged_into = into
        deadlines.cancel_all(case)
        _event(
            into,
            EventKind.MERGED,
            acting_user,
            note=_("Merged from %(code)s") % {"code": case.display_code},
        )
        return _transition(
            case,
            CaseStatus.MERGED,
            EventKind.MERGED,
            acting_user,
            fields=("merged_into", "next_due_on"),
            changes={"merged_into": {"from": "", "to": into.display_code}},
        )


def do_void_case(case: Case, reason: str, *, acting_user: User) -> Case:
    """Void a case registered by mistake (a test call, an empty form)."""
    if not reason.strip():
        raise BusinessError(_("Say why the case is voided."), field="reason")
    with transaction.atomic():
        case = _locked(case)
        deadlines.cancel_all(case)
        return _transition(
            case,
            CaseStatus.VOID,
            EventKind.VOIDED,
            acting_user,
            fields=("next_due_on",),
            note=reason,
        )


def do_escalate_inquiry(
    inquiry: Case,
    *,
    opinion_type: OpinionType,
    dependency: Dependency,
    description: str,
    acting_user: User,
) -> Case:
    """An inquiry that turns out to need follow-up becomes an opinion case of its own; the
    inquiry closes pointing at it."""
    if inquiry.kind != CaseKind.INQUIRY:
        raise BusinessError(_("Only an inquiry can be escalated."))
    with transaction.atomic():
        inquiry = _locked(inquiry)
        if inquiry.escalations.exists():
            raise BusinessError(_("This inquiry has already been escalated."))
        case, _created = do_register_case(
            NewCase(
                kind=CaseKind.OPINION,
                channel=inquiry.channel,
                opinion_type=opinion_type,
                dependency=dependency,
                description=description.strip() or inquiry.description,
                citizen=Citizen(
                    name=inquiry.citizen_name,
                    dui=inquiry.citizen_dui,
                    affiliation=inquiry.citizen_affiliation,
                    phone=inquiry.citizen_phone,
                    email=inquiry.citizen_email,
                ),
                escalated_from=inquiry,
            ),
            acting_user=acting_user,
        )
        note = _("Escalated into case %(code)s for follow-up.") % {"code": case.display_code}
        _event(inquiry, EventKind.ESCALATED, acting_user, note=note)
        if inquiry.status not in FINAL_STATUSES:
            inquiry.answer = inquiry.answer or note
            inquiry.closed_at = timezone.now()
            deadlines.cancel_all(inquiry)
            _transition(
                inquiry,
                CaseStatus.CLOSED,
                EventKind.CLOSED,
                acting_user,
                fields=("answer", "closed_at", "next_due_on"),
                note=note,
            )
    return case


# --- Saved views of the list ------------------------------------------------------------------
def do_save_view(owner: User, name: str, query: str, *, shared: bool = False) -> SavedView:
    """Keep the list's filters under a name: a name the person already used is replaced."""
    name = " ".join(name.split())
    if not name:
        raise BusinessError(_("Give the view a name."), field="name")
    view, _created = SavedView.objects.update_or_create(
        owner=owner, name=name[:80], defaults={"query": query[:1000], "shared": shared}
    )
    return view


def do_delete_view(view: SavedView, *, acting_user: User) -> None:
    if view.owner_id != acting_user.pk:
        raise BusinessError(_("Only whoever saved a view may delete it."))
    view.delete()
