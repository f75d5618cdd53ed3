"""Every read of OIR data a user makes goes through here: the scope of a role is applied in one
place. A request or item outside the user's scope is a 404 (its existence is not revealed); a
step the role may not take on something it sees is a 403."""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Case as Conditional
from django.db.models import (
    CharField,
    Count,
    Exists,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from enlace.accounts.models import User
from enlace.cases.lifecycle import OPEN_STATUSES
from enlace.cases.models import Case
from enlace.cases.queries import visible_cases
from enlace.channels.models import InboundMessage, InboundOutcome
from enlace.core import dates
from enlace.directory.calendar import business_calendar
from enlace.oir import deadlines
from enlace.oir.models import (
    DONE_REQUEST_STATUSES,
    OPEN_REQUEST_STATUSES,
    InformationRequest,
    ItemStatus,
    RequestEvent,
    RequestItem,
    RequestStatus,
)
from enlace.oir.permissions import is_officer, unit_scope
from enlace.oir.rules import identity_key, legal_rules, parse_number


def visible_requests(user: User) -> QuerySet[InformationRequest]:
    if is_officer(user):
        return InformationRequest.objects.all()
    units = unit_scope(user)
    if units is None:
        return InformationRequest.objects.none()
    return InformationRequest.objects.filter(
        Exists(RequestItem.objects.filter(request=OuterRef("pk"), dependency_id__in=units))
    )


def access_request_for_user(user: User, pk: int, *, for_change: bool = False) -> InformationRequest:
    try:
        request = visible_requests(user).select_related("created_by", "source_case").get(pk=pk)
    except InformationRequest.DoesNotExist:
        raise Http404(_("No such information request.")) from None
    if for_change and not is_officer(user):
        raise PermissionDenied(_("Only the OIR officer acts on information requests."))
    return request


def visible_items(user: User) -> QuerySet[RequestItem]:
    if is_officer(user):
        return RequestItem.objects.all()
    units = unit_scope(user)
    if units is None:
        return RequestItem.objects.none()
    return RequestItem.objects.filter(dependency_id__in=units)


def access_item_for_user(user: User, pk: int, *, for_answer: bool = False) -> RequestItem:
    """An item the user sees; `for_answer`: the unit's answer, given by a liaison of the unit the
    item was sent to (or the officer transcribing it)."""
    try:
        item = (
            visible_items(user).select_related("request", "dependency", "reserved_entry").get(pk=pk)
        )
    except RequestItem.DoesNotExist:
        raise Http404(_("No such item.")) from None
    if for_answer and not (is_officer(user) or unit_scope(user)):
        raise PermissionDenied(_("Your role does not answer information requests."))
    return item


def timeline(request: InformationRequest) -> QuerySet[RequestEvent]:
    return request.events.select_related("actor", "item").order_by("at", "id")


# --- The officer's list ----------------------------------------------------------------------
DUE_SOON = "due_soon"
OVERDUE = "overdue"
VERY_OVERDUE = "very_overdue"
PAUSED = "paused"
ON_TIME = "on_time"


def bounds_today(today: date | None = None) -> deadlines.StateBounds:
    today = today or timezone.localdate()
    return deadlines.state_bounds(business_calendar(today), today, legal_rules())


def deadline_state(bounds: deadlines.StateBounds) -> Conditional:
    """The computed state of each request as an SQL expression: the same answer as
    `deadlines.state` for the stored due date, and empty for a resolved request."""
    return Conditional(
        When(status__in=DONE_REQUEST_STATUSES, then=Value("")),
        When(due_on__isnull=True, then=Value(PAUSED)),
        When(due_on__lte=bounds.very_overdue_until, then=Value(VERY_OVERDUE)),
        When(due_on__lt=bounds.today, then=Value(OVERDUE)),
        When(due_on__lte=bounds.soon_until, then=Value(DUE_SOON)),
        default=Value(ON_TIME),
        output_field=CharField(),
    )


@dataclass(frozen=True)
class RequestFilters:
    status: str = ""  # a RequestStatus value, or "open"
    due: str = ""  # DUE_SOON, OVERDUE (including very overdue), VERY_OVERDUE
    unit_id: int | None = None
    channel: str = ""
    text: str = ""


def filter_requests(
    queryset: QuerySet[InformationRequest], filters: RequestFilters, bounds: deadlines.StateBounds
) -> QuerySet[InformationRequest]:
    if filters.status == "open":
        queryset = queryset.filter(status__in=OPEN_REQUEST_STATUSES)
    elif filters.status in RequestStatus.values:
        queryset = queryset.filter(status=filters.status)
    if filters.due:
        open_ = queryset.filter(status__in=OPEN_REQUEST_STATUSES)
        if filters.due == DUE_SOON:
            queryset = open_.filter(due_on__gte=bounds.today, due_on__lte=bounds.soon_until)
        elif filters.due == OVERDUE:
            queryset = open_.filter(due_on__lt=bounds.today)
        elif filters.due == VERY_OVERDUE:
            queryset = open_.filter(due_on__lte=bounds.very_overdue_until)
    if filters.unit_id:
        queryset = queryset.filter(
            Exists(
                RequestItem.objects.filter(request=OuterRef("pk"), dependency_id=filters.unit_id)
            )
        )
    if filters.channel:
        queryset = queryset.filter(channel=filters.channel)
    text = filters.text.strip()
    if text:
        queryset = queryset.filter(
            Q(number__iexact=text)
            | Q(requester_name__icontains=text)
            | Q(description__icontains=text)
        )
    return queryset


# The two orders of the list: the officer's work order (legal due date, the most urgent first;
# a stopped clock, without a date, last) and the order of arrival (newest first).
ORDER_DUE = "plazo"
ORDER_RECEIVED = "recibida"
ORDERS = (ORDER_DUE, ORDER_RECEIVED)


@dataclass
class RequestPage:
    requests: Sequence[InformationRequest]
    count: int  # exact up to settings.CASE_LIST_COUNT_LIMIT, else the limit
    count_is_capped: bool
    next_cursor: str | None
    previous_cursor: str | None


def _encode(request: InformationRequest, order: str) -> str:
    if order == ORDER_DUE:
        key = request.due_on.isoformat() if request.due_on else ""
    else:
        key = request.received_at.isoformat()
    raw = f"{key}|{request.pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, order: str) -> tuple[date | datetime | None, int] | None:
    """The cursor's key, or None for a cursor that is not one (the first page is shown)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        key_text, id_text = raw.split("|")
        pk = int(id_text)
        if order == ORDER_DUE:
            due = date.fromisoformat(key_text) if key_text else None
            return (due, pk) if due is None or dates.in_range(due) else None
        at = datetime.fromisoformat(key_text)
        return (at, pk) if at.tzinfo is not None and dates.in_range(at) else None
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


Key = tuple[date | datetime | None, int]


def _due_forward(rows: QuerySet[InformationRequest], key: Key | None, n: int) -> list[Any]:
    """Up to `n` rows after `key` in the work order: the dated ones by (due_on, id), then those
    without a date by id. Each part is one range scan of an index (a condition with OR would
    make the database filter every row before the page instead)."""
    found: list[Any] = []
    if key is None or key[0] is not None:
        dated = rows.filter(due_on__isnull=False)
        if key is not None:
            due, pk = key
            dated = dated.filter(due_on__gte=due).filter(Q(due_on__gt=due) | Q(pk__gt=pk))
        found = list(dated.order_by("due_on", "id")[:n])
    if len(found) < n:
        undated = rows.filter(due_on__isnull=True)
        if key is not None and key[0] is None:
            undated = undated.filter(pk__gt=key[1])
        found += list(undated.order_by("id")[: n - len(found)])
    return found


def _due_backward(rows: QuerySet[InformationRequest], key: Key, n: int) -> list[Any]:
    """Up to `n` rows before `key` in the work order, nearest first."""
    due, pk = key
    found: list[Any] = []
    if due is None:
        found = list(rows.filter(due_on__isnull=True, pk__lt=pk).order_by("-id")[:n])
        if len(found) < n:
            dated = rows.filter(due_on__isnull=False).order_by("-due_on", "-id")
            found += list(dated[: n - len(found)])
        return found
    earlier = rows.filter(due_on__lte=due).filter(Q(due_on__lt=due) | Q(pk__lt=pk))
    return list(earlier.order_by("-due_on", "-id")[:n])


def _received_forward(rows: QuerySet[InformationRequest], key: Key | None, n: int) -> list[Any]:
    if key is not None:
        at, pk = key
        rows = rows.filter(received_at__lte=at).filter(Q(received_at__lt=at) | Q(pk__lt=pk))
    return list(rows.order_by("-received_at", "-id")[:n])


def _received_backward(rows: QuerySet[InformationRequest], key: Key, n: int) -> list[Any]:
    at, pk = key
    later = rows.filter(received_at__gte=at).filter(Q(received_at__gt=at) | Q(pk__gt=pk))
    return list(later.order_by("received_at", "id")[:n])


def request_page(
    queryset: QuerySet[InformationRequest],
    bounds: deadlines.StateBounds,
    *,
    order: str = ORDER_DUE,
    after: str = "",
    before: str = "",
    page_size: int | None = None,
) -> RequestPage:
    """One page by keyset, in the officer's work order (legal due date, the most urgent
    first; without a date, last) or by arrival (newest first), each row annotated with its
    computed state. Reads only the page's rows (plus one), whatever page it is, by range scans
    of the indexes on (due_on, id) and (received_at, id): at most three queries (the capped
    count, the dated and the undated part of the work order)."""
    size = page_size or settings.CASE_LIST_PAGE_SIZE
    limit = settings.CASE_LIST_COUNT_LIMIT
    count = queryset.order_by()[: limit + 1].count()
    rows = queryset.annotate(deadline_state=deadline_state(bounds))
    forward, backward = (
        (_due_forward, _due_backward)
        if order == ORDER_DUE
        else (_received_forward, _received_backward)
    )
    after_key = _decode(after, order) if after else None
    before_key = _decode(before, order) if before and not after_key else None
    if before_key:
        chunk = backward(rows, before_key, size + 1)
        has_newer, has_older = len(chunk) > size, True
        found = list(reversed(chunk[:size]))
    else:
        chunk = forward(rows, after_key, size + 1)
        has_older, has_newer = len(chunk) > size, after_key is not None
        found = chunk[:size]
    return RequestPage(
        requests=found,
        count=min(count, limit),
        count_is_capped=count > limit,
        next_cursor=_encode(found[-1], order) if found and has_older else None,
        previous_cursor=_encode(found[0], order) if found and has_newer else None,
    )


def items_by_request(requests: Sequence[InformationRequest]) -> dict[int, list[RequestItem]]:
    """The items of a page of requests, with their units, in one query."""
    grouped: dict[int, list[RequestItem]] = {r.pk: [] for r in requests}
    for item in (
        RequestItem.objects.filter(request_id__in=list(grouped))
        .select_related("dependency")
        .order_by("request_id", "position")
    ):
        grouped[item.request_id].append(item)
    return grouped


# --- The OIR's mailbox -----------------------------------------------------------------------
# A message came to the OIR's mailbox when the e-mail plug-in stored it from the mailbox of
# settings.EMAIL_INBOXES whose catalogue channel is "oir": the poller writes that channel in
# the message's headers (enlace/channels/email/imap.py, `Poller.store`), and the message that
# opened a case points at it. A case typed in by staff with the channel "oir" has no such
# message, and is not mail to register. (The plug-in's code is written here, not imported:
# the OIR is below the channels' plug-ins.)
EMAIL_PLUGIN = "email"
OIR_MAILBOX_CHANNEL = "oir"
# What makes two messages the same: the sender (address and name) and the text (the subject
# and the body, as the plug-in wrote them in the case's description).
SAME_MESSAGE = ("citizen_email", "citizen_name", "description")


def _opened_by_oir_mail() -> Exists:
    return Exists(
        InboundMessage.objects.filter(
            case=OuterRef("pk"),
            plugin=EMAIL_PLUGIN,
            outcome=InboundOutcome.NEW_CASE,
            headers__channel=OIR_MAILBOX_CHANNEL,
        )
    )


def _registered() -> Exists:
    return Exists(InformationRequest.objects.filter(source_case=OuterRef("pk")))


def oir_mail(user: User) -> QuerySet[Case]:
    """The cases opened by an e-mail to the OIR's mailbox that the officer sees."""
    if not is_officer(user):
        return Case.objects.none()
    return visible_cases(user).filter(_opened_by_oir_mail())


def mail_inbox(user: User) -> QuerySet[Case]:
    """The OIR's mail still to register: open, and not yet a request's source."""
    return oir_mail(user).filter(status__in=sorted(OPEN_STATUSES)).exclude(_registered())


@dataclass(frozen=True)
class MailGroup:
    """Identical messages in the OIR's mail still to register, as one row: the first received
    is the one to register (its arrival is the request's date of receipt)."""

    first_id: int
    citizen_name: str
    citizen_email: str
    description: str
    count: int
    first_at: datetime
    last_at: datetime


def unregistered_mail(user: User, *, limit: int = 20) -> list[MailGroup]:
    """The OIR's mail not yet registered, identical messages (the same sender and text) as
    one row with their count, the most recently received first: one grouped query."""
    if not is_officer(user):
        return []
    rows = (
        mail_inbox(user)
        .order_by()
        .values(*SAME_MESSAGE)
        .annotate(
            count=Count("id"),
            first_id=Min("id"),
            first_at=Min("received_at"),
            last_at=Max("received_at"),
        )
        .order_by("-last_at", "-first_id")[:limit]
    )
    return [MailGroup(**row) for row in rows]


@dataclass(frozen=True)
class IdenticalMail:
    """A message of the OIR's mailbox and those identical to it still to register: the first
    of them is kept to register (`kept`), the others are its duplicates; when one identical
    message is already a request (`registered`), every one left is a duplicate of it."""

    case: Case
    kept: Case | None
    duplicates: list[Case]
    registered: InformationRequest | None


def identical_mail(user: User, pk: int) -> IdenticalMail:
    """The group of the OIR's mail case `pk` (404 for a case that did not come by the OIR's
    mailbox, or that the user does not see)."""
    case = oir_mail(user).filter(pk=pk).first()
    if case is None:
        raise Http404(_("No such message of the OIR mailbox."))
    same = {field: getattr(case, field) for field in SAME_MESSAGE}
    waiting = list(mail_inbox(user).filter(**same).order_by("received_at", "id"))
    registered = (
        InformationRequest.objects.filter(
            source_case__in=oir_mail(user).filter(**same).filter(_registered())
        )
        .order_by("received_at", "id")
        .first()
    )
    if registered is not None or not waiting:
        return IdenticalMail(case, None, waiting, registered)
    return IdenticalMail(case, waiting[0], waiting[1:], None)


def unit_items(user: User) -> QuerySet[RequestItem]:
    """The items sent to the liaison's unit, those waiting for its answer first."""
    return (
        visible_items(user)
        .exclude(status=ItemStatus.PENDING)
        .select_related("request", "dependency")
        .order_by(
            Conditional(
                When(status=ItemStatus.SENT, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
            "internal_due_on",
            "-id",
        )
    )


# --- The public register ---------------------------------------------------------------------
def public_requests() -> QuerySet[InformationRequest]:
    """Resolved requests the officer published: only what the register shows is read."""
    return InformationRequest.objects.filter(published=True, status__in=DONE_REQUEST_STATUSES).only(
        "id", "number", "received_on", "resolved_on", "public_summary", "status"
    )


def public_request(number: str) -> InformationRequest:
    try:
        return public_requests().get(number=number)
    except InformationRequest.DoesNotExist:
        raise Http404(_("No such request in the register.")) from None


# --- A requester following their request on the portal ---------------------------------------
def _same(given: str, stored: str) -> bool:
    return bool(given) and bool(stored) and hmac.compare_digest(given.encode(), stored.encode())


def request_for_requester(number: str, factor: str) -> InformationRequest | None:
    """The request with this number if `factor` is the e-mail or the identity document number
    its requester gave, compared in constant time; None otherwise (which of the two was wrong
    is not told)."""
    parsed = parse_number(number)
    factor = factor.strip()
    found = (
        InformationRequest.objects.filter(year=parsed[0], sequence=parsed[1]).first()
        if parsed and factor
        else None
    )
    email, document = (found.email, found.document_number) if found else ("", "")
    matches = [
        _same(factor.lower(), email.lower()) if "@" in factor else False,
        _same(identity_key(factor), identity_key(document)),
    ]
    return found if found is not None and any(matches) else None


def requester_items(request: InformationRequest) -> list[RequestItem]:
    """The items with their outcomes, shown to the requester once the request is resolved."""
    if request.status not in DONE_REQUEST_STATUSES:
        return []
    return list(request.items.order_by("position"))
