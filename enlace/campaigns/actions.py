"""Writes of the campaigns: plan, import the list, run, claim the next contact, record how the
call went, keep the do-not-call register. Each is one transaction; each change of a campaign is
a history row (`campaign_history`)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from enlace.accounts.models import User
from enlace.callcentre.actions import do_end_outbound_call, do_start_outbound_call
from enlace.callcentre.models import Call
from enlace.campaigns import rules
from enlace.campaigns.history import CampaignAction, campaign_history
from enlace.campaigns.models import (
    Attempt,
    CallingWindow,
    Campaign,
    CampaignEvent,
    CampaignStatus,
    Contact,
    ContactImport,
    ContactState,
    DoNotCall,
    DoNotCallReason,
    Outcome,
    Purpose,
    due_at,
)
from enlace.campaigns.queries import can_call
from enlace.core.errors import BusinessError
from enlace.core.identifiers import normalise_dui, normalise_phone
from enlace.core.tabular import Problem, Source, Values
from enlace.directory.calendar import business_calendar
from enlace.directory.models import Dependency
from enlace.surveys.models import Study, StudyStatus

MAX_CONTACTS = 200_000  # in one list


def lease() -> timedelta:
    """A contact claimed is held this long by its agent; then anyone may take it."""
    return timedelta(minutes=settings.CAMPAIGN_LEASE_MINUTES)


# --- Planning ----------------------------------------------------------------------------------
@dataclass
class CampaignPlan:
    name: str
    purpose: str
    starts_on: date
    ends_on: date
    script: str = ""
    requested_by: Dependency | None = None
    study: Study | None = None
    priority: int = 5
    max_attempts: int = 5
    retry_busy_minutes: int = 30
    retry_no_answer_minutes: int = 120
    retry_voicemail_minutes: int = 240
    windows: Sequence[rules.Window] = rules.DEFAULT_WINDOWS
    agents: Sequence[User] = ()


def _check_plan(plan: CampaignPlan) -> None:
    if not plan.name.strip():
        raise BusinessError(_("Give the campaign a name."), field="name")
    if plan.purpose not in Purpose.values:
        raise BusinessError(_("Choose the campaign's purpose."), field="purpose")
    if plan.ends_on < plan.starts_on:
        raise BusinessError(_("The campaign cannot end before it starts."), field="ends_on")
    if not 1 <= plan.max_attempts <= 20:
        raise BusinessError(_("Attempts must be between 1 and 20."), field="max_attempts")
    if not 1 <= plan.priority <= 9:
        raise BusinessError(_("Priority must be between 1 and 9."), field="priority")
    if plan.purpose == Purpose.SATISFACTION_SURVEY and plan.study is None:
        raise BusinessError(_("A survey campaign needs the study it asks."), field="study")
    if plan.study is not None and plan.study.status != StudyStatus.FIELDWORK:
        raise BusinessError(_("The study must be in fieldwork."), field="study")
    if not plan.windows:
        raise BusinessError(_("Give at least one calling window."), field="windows")
    for window in plan.windows:
        if window.closes <= window.opens or not 0 <= window.weekday <= 6:
            raise BusinessError(_("A calling window must close after it opens."), field="windows")


def do_save_campaign(
    plan: CampaignPlan, *, acting_user: User, campaign: Campaign | None = None
) -> Campaign:
    """Create a campaign (a draft), or change one that is not finished."""
    _check_plan(plan)
    now = timezone.now()
    with transaction.atomic():
        if campaign is None:
            campaign = Campaign(created_by=acting_user, created_at=now)
            action = CampaignAction.CREATED
        else:
            campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
            if campaign.status == CampaignStatus.FINISHED:
                raise BusinessError(_("A finished campaign cannot change."))
            action = CampaignAction.CHANGED
        for name in (
            "name",
            "purpose",
            "starts_on",
            "ends_on",
            "script",
            "requested_by",
            "study",
            "priority",
            "max_attempts",
            "retry_busy_minutes",
            "retry_no_answer_minutes",
            "retry_voicemail_minutes",
        ):
            setattr(campaign, name, getattr(plan, name))
        campaign.name = campaign.name.strip()
        campaign.save()
        campaign.windows.all().delete()
        CallingWindow.objects.bulk_create(
            CallingWindow(campaign=campaign, weekday=w.weekday, opens=w.opens, closes=w.closes)
            for w in plan.windows
        )
        campaign.agents.set(plan.agents)
        campaign_history.add(
            CampaignEvent(campaign=campaign, at=now, action=action, actor=acting_user)
        )
    return campaign


def windows_of(campaign: Campaign) -> list[rules.Window]:
    return [
        rules.Window(w.weekday, w.opens, w.closes)
        for w in campaign.windows.order_by("weekday", "opens")
    ]


_STEPS = {
    "start": ({CampaignStatus.DRAFT}, CampaignStatus.RUNNING, CampaignAction.STARTED),
    "pause": ({CampaignStatus.RUNNING}, CampaignStatus.PAUSED, CampaignAction.PAUSED),
    "resume": ({CampaignStatus.PAUSED}, CampaignStatus.RUNNING, CampaignAction.RESUMED),
    "finish": (
        {CampaignStatus.DRAFT, CampaignStatus.RUNNING, CampaignStatus.PAUSED},
        CampaignStatus.FINISHED,
        CampaignAction.FINISHED,
    ),
}


def do_step(campaign: Campaign, step: str, *, acting_user: User | None, note: str = "") -> Campaign:
    """Start, pause, resume or finish the campaign. Finishing leaves the contacts still to call
    unreachable and releases every lease."""
    if step not in _STEPS:
        raise BusinessError(_("Unknown step."))
    allowed, target, action = _STEPS[step]
    now = timezone.now()
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if campaign.status not in allowed:
            raise BusinessError(
                _("The campaign is %(status)s: it cannot do that now.")
                % {"status": campaign.get_status_display()}
            )
        if step in ("start", "resume") and timezone.localdate() > campaign.ends_on:
            raise BusinessError(_("The campaign's last day has passed."), field="ends_on")
        if step == "start" and not campaign.contacts.exists():
            raise BusinessError(_("Import the contacts to call first."))
        campaign.status = target
        fields = ["status"]
        if target == CampaignStatus.FINISHED:
            campaign.finished_at = now
            fields.append("finished_at")
            campaign.contacts.filter(state=ContactState.TO_CALL).update(
                state=ContactState.UNREACHABLE, lease_holder=None, lease_until=None
            )
        campaign.save(update_fields=fields)
        campaign_history.add(
            CampaignEvent(campaign=campaign, at=now, action=action, actor=acting_user, note=note)
        )
    return campaign


def sweep_campaigns(now: datetime) -> dict[str, int]:
    """Sweep job: campaigns past their last day finish."""
    today = timezone.localdate(now)
    finished = 0
    for campaign in Campaign.objects.filter(
        status__in=(CampaignStatus.RUNNING, CampaignStatus.PAUSED, CampaignStatus.DRAFT),
        ends_on__lt=today,
    ).order_by("id")[:100]:
        try:
            do_step(campaign, "finish", acting_user=None, note=_("Its last day passed."))
        except BusinessError:
            continue
        finished += 1
    return {"campaigns_finished": finished}


# --- The contact list --------------------------------------------------------------------------
# Columns of a list (Spanish, as the people who prepare them write them): the name and a phone
# are required; any other column is the campaign's own data ({fecha_cita} in the script).
REQUIRED_COLUMNS = ("nombre", "telefono")
KNOWN_COLUMNS = ("telefono2", "dui", "afiliacion", "prioridad")


@dataclass
class ImportReport:
    created: int = 0
    merged: int = 0
    excluded: int = 0
    problems: list[Problem] = field(default_factory=list)
    rejected: list[tuple[int, Values, str]] = field(default_factory=list)

    @property
    def rejected_rows(self) -> int:
        return len(self.rejected)


@dataclass
class _Row:
    line: int
    name: str
    phone: str
    phone_alt: str
    dui: str
    affiliation: str
    priority: int
    data: dict[str, str]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{timezone.localtime(value) if timezone.is_aware(value) else value:%d/%m/%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _phone(value: Any, column: str, problems: list[Problem], line: int) -> str:
    text = _text(value)
    if not text:
        return ""
    try:
        return normalise_phone(text)
    except ValidationError as error:
        problems.append(Problem(line, column, error.messages[0]))
        return ""


def _parse(line: int, values: Values) -> _Row | list[Problem]:
    problems: list[Problem] = []
    if "__problem__" in values:
        return [Problem(line, "", str(values["__problem__"]))]
    name = _text(values.get("nombre"))[:200]
    if not name:
        problems.append(Problem(line, "nombre", _("The name is required.")))
    phone = _phone(values.get("telefono"), "telefono", problems, line)
    if not phone and not any(p.column == "telefono" for p in problems):
        problems.append(Problem(line, "telefono", _("The phone is required.")))
    phone_alt = _phone(values.get("telefono2"), "telefono2", problems, line)
    dui = ""
    if _text(values.get("dui")):
        try:
            dui = normalise_dui(_text(values.get("dui")))
        except ValidationError as error:
            problems.append(Problem(line, "dui", error.messages[0]))
    priority = 0
    if _text(values.get("prioridad")):
        try:
            priority = int(_text(values.get("prioridad")))
            if not 0 <= priority <= 9:
                raise ValueError
        except ValueError:
            problems.append(Problem(line, "prioridad", _("Priority must be 0 to 9.")))
    if problems:
        return problems
    data = {
        key: _text(value)[:500]
        for key, value in values.items()
        if key and key not in REQUIRED_COLUMNS + KNOWN_COLUMNS and _text(value)
    }
    return _Row(
        line=line,
        name=name,
        phone=phone,
        phone_alt=phone_alt if phone_alt != phone else "",
        dui=dui,
        affiliation=_text(values.get("afiliacion"))[:20],
        priority=priority,
        data=data,
    )


def _rows(source: Source, report: ImportReport) -> Iterator[_Row]:
    for line, values in source.rows():
        parsed = _parse(line, values)
        if isinstance(parsed, list):
            report.problems.extend(parsed)
            report.rejected.append((line, values, "; ".join(p.reason for p in parsed)))
            continue
        yield parsed


def blocked(phones: Iterable[str], duis: Iterable[str]) -> dict[str, str]:
    """The phones and DUIs on the do-not-call register, with the reason's label."""
    phones, duis = [p for p in phones if p], [d for d in duis if d]
    found: dict[str, str] = {}
    if not phones and not duis:
        return found
    labels = dict(DoNotCallReason.choices)
    for phone, dui, reason in DoNotCall.objects.filter(
        Q(phone__in=phones) | Q(dui__in=duis)
    ).values_list("phone", "dui", "reason"):
        for key in (phone, dui):
            if key:
                found[key] = str(labels.get(reason, reason))
    return found


def do_import_contacts(
    campaign: Campaign,
    source: Source,
    *,
    acting_user: User,
    skip_invalid: bool,
) -> ImportReport:
    """Read the list and add its people to the campaign: phones normalised, the same person
    twice (by phone or DUI, in the list or already in the campaign) merged into one, those on
    the do-not-call register left out with the reason. All or nothing unless `skip_invalid`:
    then the valid rows are added and the invalid ones returned (and kept) as rejected rows."""
    if campaign.status == CampaignStatus.FINISHED:
        raise BusinessError(_("A finished campaign takes no more contacts."))
    report = ImportReport()
    rows = list(_rows(source, report))
    if len(rows) > MAX_CONTACTS:
        raise BusinessError(
            _("A list may hold at most %(n)s contacts.") % {"n": f"{MAX_CONTACTS:,}"}
        )
    if report.problems and not skip_invalid:
        return report  # nothing stored
    now = timezone.now()
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        seen: dict[str, int] = {}  # phone or DUI -> index in `kept`; -1: already in the campaign
        # Only the people of this list already in the campaign (indexed by phone and by DUI),
        # in chunks: a push of a few contacts into a campaign of a million reads a few rows.
        phones = sorted({row.phone for row in rows})
        duis = sorted({row.dui for row in rows if row.dui})
        for start in range(0, max(len(phones), len(duis)), 2000):
            found = campaign.contacts.filter(
                Q(phone__in=phones[start : start + 2000]) | Q(dui__in=duis[start : start + 2000])
            ).values_list("phone", "dui")
            for phone, dui in found:
                seen[phone] = -1
                if dui:
                    seen[dui] = -1
        kept: list[_Row] = []
        for row in rows:
            keys = [k for k in (row.phone, row.dui) if k]
            if any(k in seen for k in keys):
                report.merged += 1
                index = next(seen[k] for k in keys if k in seen)
                if index >= 0:  # fill what the first row lacked
                    first = kept[index]
                    first.phone_alt = first.phone_alt or (
                        row.phone if row.phone != first.phone else row.phone_alt
                    )
                    first.dui = first.dui or row.dui
                    first.data = {**row.data, **first.data}
                continue
            for key in keys:
                seen[key] = len(kept)
            kept.append(row)
        barred = blocked([r.phone for r in kept], [r.dui for r in kept])
        contacts = []
        for row in kept:
            reason = barred.get(row.phone) or (barred.get(row.dui) if row.dui else None)
            contacts.append(
                Contact(
                    campaign=campaign,
                    name=row.name,
                    phone=row.phone,
                    phone_alt=row.phone_alt,
                    dui=row.dui,
                    affiliation=row.affiliation,
                    data=row.data,
                    line=row.line,
                    priority=row.priority,
                    state=ContactState.EXCLUDED if reason else ContactState.TO_CALL,
                    excluded_reason=reason or "",
                )
            )
            if reason:
                report.excluded += 1
        Contact.objects.bulk_create(contacts, batch_size=2000)
        report.created = len(contacts) - report.excluded
        ContactImport.objects.create(
            campaign=campaign,
            at=now,
            by=acting_user,
            name=source.name[:200],
            added=report.created,
            merged=report.merged,
            excluded=report.excluded,
            rejected=rejected_csv(report) if report.rejected else "",
            rejected_count=len(report.rejected),
        )
        campaign_history.add(
            CampaignEvent(
                campaign=campaign,
                at=now,
                action=CampaignAction.IMPORTED,
                actor=acting_user,
                note=_(
                    "%(name)s: %(added)s added, %(merged)s merged, %(excluded)s left out, "
                    "%(rejected)s rejected"
                )
                % {
                    "name": source.name[:200],
                    "added": report.created,
                    "merged": report.merged,
                    "excluded": report.excluded,
                    "rejected": len(report.rejected),
                },
            )
        )
    return report


def rejected_csv(report: ImportReport) -> str:
    """The rejected rows as the person sent them, with their line and why: to fix and import
    again."""
    columns: list[str] = []
    for _line, values, _why in report.rejected:
        columns += [c for c in values if c not in columns and c != "__problem__"]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["linea", *columns, "error"])
    for line, values, why in report.rejected:
        writer.writerow([line, *(_text(values.get(c)) for c in columns), why])
    return out.getvalue()


# --- Calling -----------------------------------------------------------------------------------
def do_claim_next(
    campaign: Campaign, agent: User, *, now: datetime | None = None
) -> Contact | None:
    """The next contact for `agent`, held for them for the lease: the one they already hold,
    else callbacks due first, then priority, then fewest attempts. None when nobody is due.
    Two agents never hold the same contact: the row is taken with FOR UPDATE SKIP LOCKED
    (PostgreSQL) and the lease written only if still free.

    Every agent asks this all day, so it reads what it needs in few queries (bench/campaigns.py):
    the campaign with whether the agent calls on it, whether a window is open now and the
    contact they hold (one query), then the candidate with its do-not-call entry, if any, and
    the lease."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    # rules.in_window's test of the windows, on their rows.
    open_now = CallingWindow.objects.filter(
        campaign=OuterRef("pk"),
        weekday=local.weekday(),
        opens__lte=local.time(),
        closes__gt=local.time(),
    )
    held_now = Contact.objects.filter(
        campaign=OuterRef("pk"),
        state=ContactState.TO_CALL,
        lease_holder=agent.pk,
        lease_until__gt=now,
    ).order_by("id")
    named = Campaign.agents.through.objects.filter(campaign=OuterRef("pk"))
    campaign = Campaign.objects.annotate(
        names_nobody=~Exists(named),
        names_agent=Exists(named.filter(user=agent.pk)),
        open_now=Exists(open_now),
        held_id=Subquery(held_now.values("id")[:1]),
    ).get(pk=campaign.pk)
    if campaign.status != CampaignStatus.RUNNING:
        raise BusinessError(
            _("The campaign is %(status)s: no calls now.")
            % {"status": campaign.get_status_display()}
        )
    # queries.works_on's rule, on the facts read with the campaign.
    if not (can_call(agent) and (campaign.names_nobody or campaign.names_agent)):
        raise BusinessError(_("You do not call on this campaign."), code="forbidden")
    calendar = business_calendar(local.date())
    if not (campaign.open_now and rules.calling_day(local.date(), calendar, campaign.ends_on)):
        raise BusinessError(_("Outside the campaign's calling hours."), code="window")
    if campaign.held_id is not None:
        held = Contact.objects.filter(
            pk=campaign.held_id,
            state=ContactState.TO_CALL,
            lease_holder=agent,
            lease_until__gt=now,
        ).first()
        if held is not None:
            return held
    # The person's entry on the register, if they are on it (by phone or by DUI).
    barred = DoNotCall.objects.filter(
        (Q(phone=OuterRef("phone")) & ~Q(phone="")) | (Q(dui=OuterRef("dui")) & ~Q(dui=""))
    ).values("reason")[:1]
    for _round in range(20):
        with transaction.atomic():
            candidate = (
                Contact.objects.select_for_update(skip_locked=True)
                .alias(due=due_at())
                .filter(campaign=campaign, state=ContactState.TO_CALL, due__lte=now)
                .filter(Q(lease_until__isnull=True) | Q(lease_until__lte=now))
                .annotate(do_not_call=Subquery(barred))
                .order_by("-callback", "-priority", "attempts", "id")
                .first()
            )
            if candidate is None:
                return None
            if candidate.do_not_call:
                # Put on the register after the import: never called.
                Contact.objects.filter(pk=candidate.pk).update(
                    state=ContactState.EXCLUDED,
                    excluded_reason=str(
                        dict(DoNotCallReason.choices).get(candidate.do_not_call, "")
                    ),
                )
                continue
            until = now + lease()
            taken = (
                Contact.objects.filter(pk=candidate.pk, state=ContactState.TO_CALL)
                .filter(Q(lease_until__isnull=True) | Q(lease_until__lte=now))
                .update(lease_holder=agent, lease_until=until)
            )
            if taken:
                # The row as locked above, with the lease just written.
                candidate.lease_holder, candidate.lease_until = agent, until
                return candidate
    return None


def do_dial(contact: Contact, agent: User, *, now: datetime | None = None) -> Call:
    """The agent calls the contact they hold: the call enters the call log as outbound (the
    same one while the contact stays theirs), so an opinion voiced during it is registered as
    a case linked to it."""
    with transaction.atomic():
        # of=self: FOR UPDATE cannot lock the nullable side of the outer join (PostgreSQL).
        current = (
            Contact.objects.select_for_update(of=("self",))
            .select_related("open_call")
            .get(pk=contact.pk)
        )
        call = current.open_call
        if call is not None and call.agent_id == agent.pk and call.ended_at is None:
            return call
        call = do_start_outbound_call(agent, current.phone, now=now)
        Contact.objects.filter(pk=current.pk).update(open_call=call)
    return call


def do_release(contact: Contact, agent: User) -> None:
    """Give a held contact back without calling (the agent stops for the day)."""
    with transaction.atomic():
        # of=self: FOR UPDATE cannot lock the nullable side of the outer join (PostgreSQL).
        current = (
            Contact.objects.select_for_update(of=("self",))
            .select_related("open_call")
            .get(pk=contact.pk)
        )
        if current.lease_holder_id != agent.pk:
            return
        if current.open_call is not None:
            do_end_outbound_call(current.open_call, reached=False)
        Contact.objects.filter(pk=current.pk).update(
            lease_holder=None, lease_until=None, open_call=None
        )


@dataclass(frozen=True)
class CallResult:
    outcome: str
    note: str = ""
    rescheduled_to: datetime | None = None
    call_back_at: datetime | None = None
    phone: str = ""  # the number called, when not the contact's first


def _check_result(result: CallResult, campaign: Campaign, now: datetime) -> None:
    if result.outcome not in Outcome.values:
        raise BusinessError(_("Choose how the call went."), field="outcome")
    if result.outcome == Outcome.RESCHEDULED and result.rescheduled_to is None:
        raise BusinessError(_("Give the new date of the appointment."), field="rescheduled_to")
    moved_to = result.rescheduled_to if result.outcome == Outcome.RESCHEDULED else None
    if moved_to is not None and moved_to <= now:
        raise BusinessError(_("The new date must be in the future."), field="rescheduled_to")
    if result.outcome == Outcome.CALL_BACK:
        if result.call_back_at is None:
            raise BusinessError(_("Say when to call back."), field="call_back_at")
        calendar = business_calendar(timezone.localdate(result.call_back_at))
        if result.call_back_at <= now or not rules.in_window(
            result.call_back_at, windows_of(campaign), calendar, campaign.ends_on
        ):
            raise BusinessError(
                _("Call back within the campaign's calling hours, before it ends."),
                field="call_back_at",
            )


def do_record_outcome(
    contact: Contact,
    result: CallResult,
    *,
    agent: User,
    seen_version: int,
    now: datetime | None = None,
) -> Attempt:
    """Record how the call went. The agent must be the one holding the contact, or have held it
    when they claimed it (version `seen_version`): if another agent recorded the contact since,
    the second is told and nothing is written. The contact's next state follows the campaign's
    rules; a person who asked not to be called, or who died, goes on the register for good."""
    now = now or timezone.now()
    with transaction.atomic():
        current = (
            # The contact alone, not its open call: FOR UPDATE cannot lock the nullable side of
            # an outer join (PostgreSQL). A finish racing it waits on this row, then leaves a
            # contact this call settled alone (its UPDATE matches "to call" only).
            Contact.objects.select_for_update(of=("self",))
            .select_related("campaign", "open_call")
            .filter(pk=contact.pk)
            .first()
        )
        if current is None:
            raise BusinessError(_("No such contact."), code="not_found")
        campaign = current.campaign
        if current.version != seen_version:
            raise BusinessError(
                _("Another agent already recorded this call; nothing was saved."),
                code="conflict",
            )
        if current.lease_holder_id not in (agent.pk, None) and (
            current.lease_until is not None and current.lease_until > now
        ):
            raise BusinessError(
                _("Another agent is calling this person now; nothing was saved."),
                code="conflict",
            )
        if current.state != ContactState.TO_CALL:
            raise BusinessError(
                _("This contact is no longer to be called; nothing was saved."), code="conflict"
            )
        if campaign.status == CampaignStatus.FINISHED:
            raise BusinessError(_("The campaign has finished."), code="conflict")
        _check_result(result, campaign, now)
        attempts = current.attempts + 1
        after = rules.after_outcome(
            result.outcome,
            attempts=attempts,
            now=now,
            retry=rules.Retry(
                campaign.max_attempts,
                campaign.retry_busy_minutes,
                campaign.retry_no_answer_minutes,
                campaign.retry_voicemail_minutes,
            ),
            windows=windows_of(campaign),
            calendar=business_calendar(timezone.localdate(now)),
            ends_on=campaign.ends_on,
            call_back_at=result.call_back_at,
        )
        phone = result.phone if result.phone in (current.phone_alt,) and result.phone else ""
        call = current.open_call
        if call is not None:
            call = do_end_outbound_call(
                call, reached=result.outcome in rules.REACHED, note=result.note.strip(), now=now
            )
        attempt = Attempt.objects.create(
            call=call,
            case_id=call.case_id if call is not None else None,
            contact=current,
            campaign=campaign,
            agent=agent,
            at=now,
            outcome=result.outcome,
            phone=phone or current.phone,
            note=result.note.strip(),
            rescheduled_to=result.rescheduled_to,
            call_back_at=result.call_back_at,
        )
        updated = Contact.objects.filter(pk=current.pk, version=seen_version).update(
            state=after.state,
            attempts=attempts,
            next_attempt_at=after.next_attempt_at,
            callback=after.callback,
            lease_holder=None,
            lease_until=None,
            version=F("version") + 1,
            last_outcome=result.outcome,
            last_attempt_at=now,
            rescheduled_to=result.rescheduled_to or current.rescheduled_to,
            open_call=None,
        )
        if not updated:  # pragma: no cover - the row is locked above
            raise BusinessError(_("Another agent already recorded this call; nothing was saved."))
        if result.outcome in rules.DO_NOT_CALL:
            reason = (
                DoNotCallReason.DECEASED
                if result.outcome == Outcome.DECEASED
                else DoNotCallReason.ASKED
            )
            _register_do_not_call(current.phone, current.dui, reason, agent, now, campaign.name)
    return attempt


def _person(phone: str, dui: str) -> Q:
    """The rows of the person with this phone or this DUI (either may be empty)."""
    condition = Q(pk__in=[])
    if phone:
        condition |= Q(phone=phone)
    if dui:
        condition |= Q(dui=dui)
    return condition


def _register_do_not_call(
    phone: str, dui: str, reason: str, by: User | None, now: datetime, note: str = ""
) -> DoNotCall:
    existing = DoNotCall.objects.filter(_person(phone, dui)).first()
    if existing is not None:
        if reason == DoNotCallReason.DECEASED and existing.reason != reason:
            existing.reason = reason
            existing.save(update_fields=["reason"])
        return existing
    entry = DoNotCall.objects.create(
        phone=phone, dui=dui, reason=reason, note=note[:300], at=now, by=by
    )
    # Nobody on any running list calls them again.
    Contact.objects.filter(_person(phone, dui), state=ContactState.TO_CALL).update(
        state=ContactState.EXCLUDED,
        excluded_reason=str(DoNotCallReason(reason).label),
        lease_holder=None,
        lease_until=None,
    )
    return entry


def do_add_do_not_call(
    phone: str, dui: str, reason: str, *, acting_user: User, note: str = ""
) -> DoNotCall:
    """Put a person on the register by hand (a letter, a call to line 127)."""
    try:
        phone = normalise_phone(phone) if phone.strip() else ""
    except ValidationError as error:
        raise BusinessError(error.messages[0], field="phone") from None
    try:
        dui = normalise_dui(dui) if dui.strip() else ""
    except ValidationError as error:
        raise BusinessError(error.messages[0], field="dui") from None
    if not phone and not dui:
        raise BusinessError(_("Give a phone or a DUI."), field="phone")
    if reason not in DoNotCallReason.values:
        raise BusinessError(_("Choose the reason."), field="reason")
    with transaction.atomic():
        return _register_do_not_call(phone, dui, reason, acting_user, timezone.now(), note)


def do_remove_do_not_call(entry: DoNotCall, *, acting_user: User) -> None:
    """Take a person off the register (they asked to be called again). The contacts left out
    because of it stay left out: a new list includes them."""
    entry.delete()


def do_reassign(
    campaign: Campaign, *, from_agent: User, acting_user: User, now: datetime | None = None
) -> int:
    """The supervisor gives back to the queue the contacts an agent holds (they left their
    desk mid-call): another agent takes them at once. Their open calls end unanswered. How
    many were released."""
    now = now or timezone.now()
    with transaction.atomic():
        held = list(
            Contact.objects.select_for_update(of=("self",))
            .select_related("open_call")
            .filter(campaign=campaign, lease_holder=from_agent, lease_until__gt=now)
        )
        for contact in held:
            if contact.open_call is not None:
                do_end_outbound_call(contact.open_call, reached=False, now=now)
        released = Contact.objects.filter(pk__in=[c.pk for c in held]).update(
            lease_holder=None, lease_until=None, open_call=None
        )
        if released:
            campaign_history.add(
                CampaignEvent(
                    campaign=campaign,
                    at=now,
                    action=CampaignAction.REASSIGNED,
                    actor=acting_user,
                    note=from_agent.get_full_name() or from_agent.username,
                )
            )
    return released
