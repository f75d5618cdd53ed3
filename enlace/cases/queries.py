"""Every read of cases that a user makes goes through here, so the scope of a role is applied in
one place: `visible_cases` for lists, `access_case_for_user` for one case."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import BooleanField, Count, F, IntegerField, Q, QuerySet, Value, When
from django.db.models import Case as Conditional
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from enlace.accounts.models import CENTRE_SCOPED_ROLES, Role, User
from enlace.cases.lifecycle import OPEN_STATUSES, CaseKind, CaseStatus
from enlace.cases.models import Case, CaseEvent, Priority, SavedView
from enlace.cases.permissions import (
    ROLE_CAPABILITIES,
    SEES_ALL,
    Capability,
    case_scope,
    has_capability,
    is_untriaged_denuncia,
)
from enlace.cases.rules import (
    dui_key,
    normalise_tracking_code,
    phone_or_none,
    search_words,
)
from enlace.core import dates
from enlace.directory.queries import ancestor_ids

SEARCH_CONFIG = "enlace_es"  # Spanish stemming after unaccent; created by cases migration 0002


def visible_cases(user: User) -> QuerySet[Case]:
    scope = case_scope(user)
    if scope is None:
        return Case.objects.none()
    return Case.objects.filter(scope)


def access_case_for_user(
    user: User, case_id: int, *, capability: Capability | None = None, for_update: bool = False
) -> Case:
    """The case, if `user` may see it (else 404: its existence is not revealed) and, when a
    capability is named, may do that to it (else 403)."""
    queryset = visible_cases(user).select_related(
        "channel", "opinion_type", "dependency", "limitante", "topic", "created_by", "owner"
    )
    if for_update:
        queryset = queryset.select_for_update(of=("self",), no_key=True)
    try:
        case = queryset.get(pk=case_id)
    except Case.DoesNotExist:
        raise Http404(_("No such case.")) from None
    if capability is not None and not can_act(user, case, capability):
        raise PermissionDenied(_("You may not do this with this case."))
    return case


def can_act(user: User, case: Case, capability: Capability) -> bool:
    if capability == Capability.CLOSE_INQUIRY:
        # Closing an inquiry is open to those who log them; closing an opinion needs CLOSE.
        return case.kind == CaseKind.INQUIRY and (
            has_capability(user, Capability.CLOSE_INQUIRY) or has_capability(user, Capability.CLOSE)
        )
    return has_capability(user, capability)


def _owning_roles() -> list[str]:
    return [role for role, held in ROLE_CAPABILITIES.items() if Capability.OWN in held]


def owner_candidates(case: Case, acting_user: User) -> QuerySet[User]:
    """Who `acting_user` may give the case to: active people whose role works cases and who
    see this one, of the acting user's own team (their role, and for a centre its people),
    while the resolution section and administrators may give it to anyone who sees it. One
    query, for the case page's choice; `sees_case` is the exact test of the one chosen."""
    roles = _owning_roles()
    sees = Q(role__in=[role for role in roles if role in SEES_ALL])
    centre_hidden = is_untriaged_denuncia(case)
    if case.dependency_id is not None and not centre_hidden:
        sees |= Q(role__in=sorted(CENTRE_SCOPED_ROLES), dependency_id=case.dependency_id)
        sees |= Q(
            role=Role.LIAISON,
            includes_children=True,
            dependency_id__in=ancestor_ids(case.dependency_id),
        )
    if case.channel.code == "oir":
        sees |= Q(role=Role.OIR_OFFICER)
    people = User.objects.filter(sees, is_active=True, role__in=roles)
    if not (acting_user.is_superuser or acting_user.role in (Role.RESOLUTION, Role.ADMINISTRATOR)):
        people = people.filter(role=acting_user.role)
    return people.order_by("first_name", "last_name", "username")


def team_members(acting_user: User) -> QuerySet[User]:
    """The people `acting_user` may give cases to, whatever the case (each case then checks
    that its person sees it: `owner_candidates`)."""
    people = User.objects.filter(is_active=True, role__in=_owning_roles())
    if not (acting_user.is_superuser or acting_user.role in (Role.RESOLUTION, Role.ADMINISTRATOR)):
        people = people.filter(role=acting_user.role)
        if acting_user.dependency_id is not None:
            people = people.filter(dependency_id=acting_user.dependency_id)
    return people.order_by("first_name", "last_name", "username")


def sees_case(user: User, case: Case) -> bool:
    """Whether `user` may see `case`: the role's scope applied to it, in the database."""
    return visible_cases(user).filter(pk=case.pk).exists()


def saved_views_for(user: User) -> list[SavedView]:
    """The person's own saved views and those others shared, in one query."""
    return list(
        SavedView.objects.filter(Q(owner_id=user.pk) | Q(shared=True)).select_related("owner")
    )


def saved_view_for(user: User, pk: int) -> SavedView:
    """One of the person's own saved views (another's is not found)."""
    try:
        return SavedView.objects.get(pk=pk, owner_id=user.pk)
    except SavedView.DoesNotExist:
        raise Http404(_("No such view.")) from None


def timeline(case: Case) -> QuerySet[CaseEvent]:
    return case.events.select_related("actor").order_by("at", "id")


# --- The filtered, paginated list ------------------------------------------------------------
@dataclass(frozen=True)
class CaseFilters:
    kind: str = ""
    opinion_type_id: int | None = None
    channel_id: int | None = None
    dependency_id: int | None = None
    level_of_care: str = ""
    status: str = ""  # a CaseStatus value, or "open" for every open status
    received_from: date | None = None
    received_to: date | None = None
    text: str = ""
    due: str = ""  # DUE_SOON or OVERDUE: by the case's next due date
    owner_id: int | None = None  # the cases this person works on
    unowned: bool = False  # the cases nobody has taken yet
    ids: tuple[int, ...] = ()  # a selection of the list's rows (an export of them)


DUE_SOON = "soon"
OVERDUE = "overdue"
DUE_SOON_DAYS = 2  # "due soon": due today or within this many calendar days


def due_soon_until(today: date) -> date:
    return today + timedelta(days=DUE_SOON_DAYS)


def filter_cases(queryset: QuerySet[Case], filters: CaseFilters) -> QuerySet[Case]:
    conditions: dict[str, Any] = {}
    if filters.kind:
        conditions["kind"] = filters.kind
    if filters.opinion_type_id:
        conditions["opinion_type_id"] = filters.opinion_type_id
    if filters.channel_id:
        conditions["channel_id"] = filters.channel_id
    if filters.dependency_id:
        conditions["dependency_id"] = filters.dependency_id
    if filters.level_of_care:
        conditions["level_of_care"] = filters.level_of_care
    if filters.status == "open":
        conditions["status__in"] = sorted(OPEN_STATUSES)
    elif filters.status:
        conditions["status"] = filters.status
    tz = timezone.get_current_timezone()
    if filters.received_from:
        conditions["received_at__gte"] = datetime.combine(filters.received_from, time.min, tz)
    if filters.received_to:
        next_day = filters.received_to + timedelta(days=1)
        conditions["received_at__lt"] = datetime.combine(next_day, time.min, tz)
    if filters.ids:
        conditions["pk__in"] = list(filters.ids)
    if filters.owner_id:
        conditions["owner_id"] = filters.owner_id
    elif filters.unowned:
        conditions["owner__isnull"] = True
    if filters.due in (DUE_SOON, OVERDUE):
        today = timezone.localdate()
        # Both read the partial index on next_due_on (empty for closed and merged cases).
        if filters.due == DUE_SOON:
            conditions["next_due_on__range"] = (today, due_soon_until(today))
        else:
            conditions["next_due_on__lt"] = today
    queryset = queryset.filter(**conditions)
    if filters.text.strip():
        queryset = search(queryset, filters.text)
    return queryset


_DIGITS = re.compile(r"^[\d\s\-+]+$")


def search(queryset: QuerySet[Case], text: str) -> QuerySet[Case]:
    """Identifiers are matched exactly (tracking code, DUI, phone, affiliation number); anything
    else is searched as words in names and descriptions, accents and case ignored."""
    text = text.strip()
    code = normalise_tracking_code(text)
    if code:
        return queryset.filter(tracking_code=code)
    if _DIGITS.match(text):
        # Nine digits may be a DUI typed without its dash or an affiliation number: try both.
        digits = re.sub(r"\D", "", text)
        condition = Q(citizen_affiliation=digits)
        dui = dui_key(text)
        if dui:
            condition |= Q(citizen_dui=dui)
        phone = phone_or_none(text)
        if phone:
            condition |= Q(citizen_phone=phone)
        return queryset.filter(condition)
    words = search_words(text)
    if not words:
        return queryset
    if connection.vendor == "postgresql":
        # The stored column search_vector = to_tsvector('enlace_es', search_text) and its GIN
        # index exist on PostgreSQL only (migration 0004), so the model does not declare them.
        return queryset.filter(
            RawSQL(
                '"cases_case"."search_vector" @@ plainto_tsquery(%s::regconfig, %s)',
                (SEARCH_CONFIG, " ".join(words)),
                output_field=BooleanField(),
            )
        )
    # The embedded SQLite default scans the folded text: each word must appear.
    for word in words:
        queryset = queryset.filter(search_text__contains=word)
    return queryset


@dataclass
class CasePage:
    cases: list[Case]
    count: int  # exact when below settings.CASE_LIST_COUNT_LIMIT, else the limit
    count_is_capped: bool
    next_cursor: str | None
    previous_cursor: str | None
    page_size: int = field(default=0)


class ListOrder(StrEnum):
    """How the list is sorted (in the URL in Spanish: ?orden=...). Each is a keyset: the value
    of one indexed column, then the id."""

    NEWEST = "recientes"  # received, newest first (the default)
    OLDEST = "antiguos"  # received, oldest first
    DUE = "vence"  # the nearest due date first: only the cases with an open deadline


@dataclass(frozen=True)
class Keyset:
    column: str
    descending: bool
    parse: Callable[[str], date | datetime | None]


def _moment(text: str) -> datetime | None:
    at = datetime.fromisoformat(text)
    return at if at.tzinfo is not None and dates.in_range(at) else None


def _day(text: str) -> date | None:
    day = date.fromisoformat(text)
    return day if dates.in_range(day) else None


KEYSETS = {
    ListOrder.NEWEST: Keyset("received_at", True, _moment),
    ListOrder.OLDEST: Keyset("received_at", False, _moment),
    ListOrder.DUE: Keyset("next_due_on", False, _day),
}


def encode_cursor(case: Case, order: ListOrder = ListOrder.NEWEST) -> str:
    value = getattr(case, KEYSETS[order].column)
    raw = f"{value.isoformat()}|{case.pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(
    cursor: str, order: ListOrder = ListOrder.NEWEST
) -> tuple[date | datetime, int] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        value_text, id_text = raw.split("|")
        value = KEYSETS[order].parse(value_text)
        return None if value is None else (value, int(id_text))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


def _beyond(
    rows: QuerySet[Case], key: Keyset, value: date | datetime, pk: int, *, lower: bool
) -> QuerySet[Case]:
    """The rows past (value, pk): with a smaller key when `lower`, else a greater one. The
    range on the column alone comes first, so the index bounds the scan."""
    column = key.column
    if lower:
        return rows.filter(**{f"{column}__lte": value}).filter(
            Q(**{f"{column}__lt": value}) | Q(pk__lt=pk)
        )
    return rows.filter(**{f"{column}__gte": value}).filter(
        Q(**{f"{column}__gt": value}) | Q(pk__gt=pk)
    )


# What a row of the list shows besides the case's own columns (joined in the same query).
LIST_RELATED = ("channel", "opinion_type", "dependency", "topic", "owner")


def listed_in(queryset: QuerySet[Case], order: ListOrder) -> QuerySet[Case]:
    """The cases a list in `order` holds: by due date, those with an open deadline."""
    if order == ListOrder.DUE:
        return queryset.filter(next_due_on__isnull=False)
    return queryset


def _forward(key: Keyset) -> list[str]:
    return [f"-{key.column}", "-id"] if key.descending else [key.column, "id"]


def rows_after(
    rows: QuerySet[Case], order: ListOrder, after: tuple[date | datetime, int] | None
) -> QuerySet[Case]:
    """The rows of the list in `order` that come after the cursor `after` (all without one),
    in that order: the query of a page, to be sliced (bench/case_list.py times it bare)."""
    key = KEYSETS[order]
    if after is not None:
        rows = _beyond(rows, key, after[0], after[1], lower=key.descending)
    return rows.order_by(*_forward(key))


def case_page(
    queryset: QuerySet[Case],
    *,
    after: str = "",
    before: str = "",
    page_size: int | None = None,
    order: ListOrder = ListOrder.NEWEST,
) -> CasePage:
    """One page of the list in `order`, by keyset: the page reads only the rows it shows (plus
    one to know there are more), whatever page it is, and counts at most COUNT_LIMIT rows."""
    size = page_size or settings.CASE_LIST_PAGE_SIZE
    limit = settings.CASE_LIST_COUNT_LIMIT
    key = KEYSETS[order]
    queryset = listed_in(queryset, order)
    count = queryset.order_by()[: limit + 1].count()

    rows = queryset.select_related(*LIST_RELATED)
    backward = [name[1:] if name.startswith("-") else f"-{name}" for name in _forward(key)]
    after_key = decode_cursor(after, order) if after else None
    before_key = decode_cursor(before, order) if before and not after_key else None
    if before_key:
        value, pk = before_key
        newer = _beyond(rows, key, value, pk, lower=not key.descending)
        chunk = list(newer.order_by(*backward)[: size + 1])
        has_newer = len(chunk) > size
        cases = list(reversed(chunk[:size]))
        has_older = True
    else:
        chunk = list(rows_after(rows, order, after_key)[: size + 1])
        has_older = len(chunk) > size
        cases = chunk[:size]
        has_newer = after_key is not None
    return CasePage(
        cases=cases,
        count=min(count, limit),
        count_is_capped=count > limit,
        next_cursor=encode_cursor(cases[-1], order) if cases and has_older else None,
        previous_cursor=encode_cursor(cases[0], order) if cases and has_newer else None,
        page_size=size,
    )


def earlier_cases_of_person(user: User, case: Case, *, limit: int = 5) -> list[Case]:
    """Other cases of the same person (same DUI or phone) that the user may see."""
    condition = Q()
    if case.citizen_dui:
        condition |= Q(citizen_dui=case.citizen_dui)
    if case.citizen_phone:
        condition |= Q(citizen_phone=case.citizen_phone)
    if not condition:
        return []
    return list(
        visible_cases(user)
        .filter(condition)
        .exclude(pk=case.pk)
        .select_related("opinion_type", "topic")
        .order_by("-received_at", "-id")[:limit]
    )


# --- The work queue --------------------------------------------------------------------------
WORK_QUEUE_LIMIT = 100
# Open cases in which the ball is in the institute's court: a case waiting for the citizen
# needs nothing until they reply (and then it is found by its tracking code).
WORK_QUEUE_STATUSES = OPEN_STATUSES - {CaseStatus.WAITING_CITIZEN}


class QueueView(StrEnum):
    """The work queue's tabs (in the URL in Spanish: ?vista=mios|sin-responsable|equipo)."""

    MINE = "mios"  # what I took, and what I registered that nobody has taken
    UNOWNED = "sin-responsable"  # what nobody in my team or centre has taken yet
    TEAM = "equipo"  # everything open in my scope (a liaison's: their centre's)


def _queue_filter(user: User, view: QueueView) -> Q:
    if view == QueueView.MINE:
        return Q(owner_id=user.pk) | Q(owner__isnull=True, created_by_id=user.pk)
    if view == QueueView.UNOWNED:
        return Q(owner__isnull=True)
    return Q()


def queue_counts(user: User) -> dict[str, int]:
    """How many open cases need action in each tab of the queue, in one query."""
    cases = visible_cases(user).filter(status__in=sorted(WORK_QUEUE_STATUSES))
    return cases.aggregate(
        **{view.value: Count("pk", filter=_queue_filter(user, view)) for view in QueueView}
    )


def work_queue(
    user: User, view: QueueView = QueueView.TEAM, *, limit: int = WORK_QUEUE_LIMIT
) -> list[Case]:
    """The open cases in the user's scope that need action, most pressing first: patient
    safety, then priority (urgent, high, normal), then the next due date (none last), then the
    oldest. For a liaison, their centre's open cases; `view` narrows them to the user's own
    or to those nobody has taken. One query."""
    priority_rank = Conditional(
        When(priority=Priority.URGENT, then=Value(0)),
        When(priority=Priority.HIGH, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return list(
        visible_cases(user)
        .filter(_queue_filter(user, view), status__in=sorted(WORK_QUEUE_STATUSES))
        .select_related("channel", "opinion_type", "dependency", "topic", "owner")
        .order_by(
            "-patient_safety",
            priority_rank,
            F("next_due_on").asc(nulls_last=True),
            "received_at",
            "id",
        )[:limit]
    )
