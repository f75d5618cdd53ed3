"""Every read of the media archive a user makes goes through here.

Who reads what:
- the archive (the list, an item, its clipping or recording): whoever monitors the media
  (`Capability.MONITOR_MEDIA`: the communications staff, the resolution section, administrators);
- the analysis report (its page, PDF and workbook): they too, and whoever reads the
  institute's reports for every centre (`VIEW_REPORTS` with no centre scope: analysts, the
  call centre's supervisor, the data-protection officer). It holds counts of what was
  published, no one's personal data. A centre's liaison, whose reports are their centre's, is
  refused: the media's figures are the institute's, and a centre's share of them would be
  read as the whole;
- turning an item into a case: whoever monitors the media and may register cases.
Anyone else gets 403 (the console's way); an item that does not exist, 404.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils.translation import gettext as _

from enlace.accounts.models import User
from enlace.cases.permissions import Capability, has_capability, report_scope
from enlace.cases.queries import SEARCH_CONFIG
from enlace.core import dates, reference
from enlace.directory.models import Dependency
from enlace.media import rules
from enlace.media.models import MediaTopic, Medium, NewsItem, Outlet, Tone

PAGE_SIZE = 25
COUNT_LIMIT = 1000  # the list says "more than 1,000" rather than count a million rows


def monitors_media(user: User) -> bool:
    return has_capability(user, Capability.MONITOR_MEDIA)


def reads_media_analysis(user: User) -> bool:
    if monitors_media(user):
        return True
    return has_capability(user, Capability.VIEW_REPORTS) and report_scope(user) is None


def makes_cases_from_news(user: User) -> bool:
    return monitors_media(user) and has_capability(user, Capability.REGISTER)


def check_monitors_media(user: User) -> None:
    if not monitors_media(user):
        raise PermissionDenied(_("Your role does not keep the media archive."))


def check_reads_media_analysis(user: User) -> None:
    if not reads_media_analysis(user):
        raise PermissionDenied(_("Your role does not read the media analysis."))


def visible_news_items(user: User) -> QuerySet[NewsItem]:
    """The archive `user` may read: all of it, or nothing."""
    if not monitors_media(user):
        return NewsItem.objects.none()
    return NewsItem.objects.all()


def access_news_item_for_user(user: User, pk: int, *, for_case: bool = False) -> NewsItem:
    """The item (403 for a role that does not keep the archive, 404 when there is none);
    `for_case`: to register a case from it, which also needs the capability to register."""
    check_monitors_media(user)
    if for_case and not makes_cases_from_news(user):
        raise PermissionDenied(_("Your role does not register cases."))
    try:
        return (
            visible_news_items(user)
            .select_related("outlet", "topic", "dependency", "registered_by", "case")
            .get(pk=pk)
        )
    except NewsItem.DoesNotExist:
        raise Http404(_("No such news item.")) from None


# --- Search and filters ----------------------------------------------------------------------
@dataclass(frozen=True)
class NewsFilters:
    text: str = ""
    outlet_id: int | None = None
    medium: str = ""
    tone: str = ""
    topic_id: int | None = None
    dependency_id: int | None = None
    published_from: date | None = None
    published_to: date | None = None
    case_id: int | None = None


def search(queryset: QuerySet[NewsItem], text: str) -> QuerySet[NewsItem]:
    """Words of the headline, the summary or the outlet's name, accents and case ignored,
    Spanish stems matched ("hospitales" finds "Hospital"); every word must be there. A query of
    stop words only ("de la") filters nothing, on both databases."""
    found = rules.query_words(text)
    if not found:
        return queryset
    if connection.vendor == "postgresql":
        # The stored column search_vector = to_tsvector('enlace_es', search_text) and its GIN
        # index exist on PostgreSQL only (migration 0002), so the model does not declare them.
        return queryset.filter(
            RawSQL(
                '"media_newsitem"."search_vector" @@ plainto_tsquery(%s::regconfig, %s)',
                (SEARCH_CONFIG, " ".join(found)),
                output_field=BooleanField(),
            )
        )
    for stem in rules.query_stems(text):
        queryset = queryset.filter(search_stems__contains=f" {stem} ")
    return queryset


def filter_news_items(queryset: QuerySet[NewsItem], filters: NewsFilters) -> QuerySet[NewsItem]:
    conditions: dict[str, object] = {}
    if filters.outlet_id:
        conditions["outlet_id"] = filters.outlet_id
    if filters.medium:
        conditions["medium"] = filters.medium
    if filters.tone:
        conditions["tone"] = filters.tone
    if filters.topic_id:
        conditions["topic_id"] = filters.topic_id
    if filters.dependency_id:
        conditions["dependency_id"] = filters.dependency_id
    if filters.published_from:
        conditions["published_on__gte"] = filters.published_from
    if filters.published_to:
        conditions["published_on__lte"] = filters.published_to
    if filters.case_id:
        conditions["case_id"] = filters.case_id
    queryset = queryset.filter(**conditions)
    if filters.text:
        queryset = search(queryset, filters.text)
    return queryset


# --- The list's pages, by keyset -------------------------------------------------------------
# What a row of the list reads, as values (no model objects, no joins: the list is read often);
# the outlet's, topic's and centre's names come from the reference data in memory.
LISTED = (
    "id",
    "published_on",
    "headline",
    "tone",
    "medium",
    "authority",
    "outlet_id",
    "topic_id",
    "dependency_id",
)
_TONES = dict(Tone.choices)
_MEDIA = dict(Medium.choices)


@dataclass(frozen=True)
class Names:
    """Every outlet's, topic's and centre's name by id (inactive ones too: old items name
    them), kept in memory per process and reloaded when one of them changes."""

    outlets: dict[int, str]
    topics: dict[int, str]
    centres: dict[int, str]


def _load_names() -> Names:
    return Names(
        outlets=dict(Outlet.objects.values_list("id", "name")),
        topics=dict(MediaTopic.objects.values_list("id", "name")),
        centres=dict(Dependency.objects.values_list("id", "name")),
    )


reference.register("media_names", _load_names, models=[Outlet, MediaTopic, Dependency])


def names() -> Names:
    return cast(Names, reference.get("media_names"))


Key = tuple[date, int]  # (published_on, id): the list's order, newest first


@dataclass(frozen=True)
class ListedItem:
    pk: int
    published_on: date
    headline: str
    tone: str
    medium: str
    authority: str
    outlet: str
    topic: str
    centre: str | None

    @property
    def tone_label(self) -> str:
        return str(_TONES.get(self.tone, self.tone))

    @property
    def medium_label(self) -> str:
        return str(_MEDIA.get(self.medium, self.medium))


@dataclass(frozen=True)
class NewsPage:
    items: list[ListedItem]
    count: int  # exact up to COUNT_LIMIT, else COUNT_LIMIT
    count_is_capped: bool
    next_cursor: str | None  # older items
    previous_cursor: str | None  # newer items


def encode_cursor(key: Key) -> str:
    raw = f"{key[0].isoformat()}|{key[1]}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> Key | None:
    """The (date, id) a cursor holds; None for anything that is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        day_text, id_text = raw.split("|")
        day = date.fromisoformat(day_text)
        pk = int(id_text)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    if not dates.in_range(day) or not 0 < pk < 2**63:
        return None
    return day, pk


def _listed(row: dict[str, Any], known: Names) -> ListedItem:
    centre = row["dependency_id"]
    return ListedItem(
        pk=row["id"],
        published_on=row["published_on"],
        headline=row["headline"],
        tone=row["tone"],
        medium=row["medium"],
        authority=row["authority"],
        outlet=known.outlets.get(row["outlet_id"], ""),
        topic=known.topics.get(row["topic_id"], ""),
        centre=known.centres.get(centre, "") if centre else None,
    )


def news_page(
    queryset: QuerySet[NewsItem], *, after: str = "", before: str = "", size: int = PAGE_SIZE
) -> NewsPage:
    """One page of the list, newest first, by keyset on (published_on, id), in two queries.

    The first reads the keys of at most COUNT_LIMIT + 1 matches, in no order, so that the
    database serves it from the most selective index (the GIN index for words): it gives the
    count, and tells which way to read the page:
    - at most COUNT_LIMIT matches: all their keys are known, so the page's keys are picked
      here and its rows read by id. A rare word, or two words that never meet, never walks
      the date index over the whole table looking for 26 matches that are not there;
    - more: the page is read in list order from an index ending in (published_on, id), which
      finds its rows early among so many matches."""
    after_key = decode_cursor(after) if after else None
    before_key = decode_cursor(before) if before and not after_key else None
    known = names()
    keys: list[Key] = list(queryset.order_by().values_list("published_on", "id")[: COUNT_LIMIT + 1])
    capped = len(keys) > COUNT_LIMIT
    if capped:
        chunk, has_newer, has_older = _page_in_order(queryset, after_key, before_key, size, known)
    else:
        keys.sort(reverse=True)
        if before_key:
            newer = [key for key in keys if key > before_key]
            picked = newer[-size:]
            has_newer, has_older = len(newer) > size, True
        else:
            older = [key for key in keys if after_key is None or key < after_key]
            picked = older[:size]
            has_newer, has_older = after_key is not None, len(older) > size
        rows = (
            NewsItem.objects.filter(pk__in=[pk for _day, pk in picked]).order_by().values(*LISTED)
        )
        found = {row["id"]: row for row in rows} if picked else {}
        chunk = [_listed(found[pk], known) for _day, pk in picked if pk in found]
    return NewsPage(
        items=chunk,
        count=min(len(keys), COUNT_LIMIT),
        count_is_capped=capped,
        next_cursor=encode_cursor(_key(chunk[-1])) if chunk and has_older else None,
        previous_cursor=encode_cursor(_key(chunk[0])) if chunk and has_newer else None,
    )


def _key(item: ListedItem) -> Key:
    return item.published_on, item.pk


def _page_in_order(
    queryset: QuerySet[NewsItem],
    after_key: Key | None,
    before_key: Key | None,
    size: int,
    known: Names,
) -> tuple[list[ListedItem], bool, bool]:
    """The page read from the index in list order: (items, has newer, has older)."""
    rows = queryset.values(*LISTED)
    if before_key:
        day, pk = before_key
        found = list(
            rows.filter(published_on__gte=day)
            .filter(Q(published_on__gt=day) | Q(pk__gt=pk))
            .order_by("published_on", "id")[: size + 1]
        )
        return [_listed(row, known) for row in reversed(found[:size])], len(found) > size, True
    if after_key:
        day, pk = after_key
        rows = rows.filter(published_on__lte=day).filter(Q(published_on__lt=day) | Q(pk__lt=pk))
    found = list(rows.order_by("-published_on", "-id")[: size + 1])
    return [_listed(row, known) for row in found[:size]], after_key is not None, len(found) > size
