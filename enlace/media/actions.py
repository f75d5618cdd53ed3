"""Every write to the media archive: each checks what it writes, then writes in one transaction.

- `do_register_news_item`: an item, with its clipping or recording (its type told by its
  content, stored under its hash as the channels' attachments are);
- `do_make_case_from_item`: the opinion case a news item about a service failure becomes,
  linked to the item (once: a second time is refused);
- `do_reindex_outlet`: the search words of an outlet's items after its name changed.

No history table: an item is written once (who registered it and when are on its row), and
its one later change, the link to a case, is the case's own registered event (who, when).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from enlace.accounts.models import User
from enlace.cases.actions import NewCase, do_register_case
from enlace.cases.lifecycle import CaseKind
from enlace.cases.models import Case
from enlace.catalogues.models import Channel, OpinionType
from enlace.core import dates
from enlace.core.errors import BusinessError
from enlace.directory.models import Dependency
from enlace.media import rules
from enlace.media.models import MediaTopic, Medium, NewsItem, Outlet, Tone, clip_path

# The catalogue has no channel for the media: a case the media reported is registered on
# "otro" (Otro), which the participation report counts under "Otros".
CASE_CHANNEL = "otro"


def clip_max_bytes() -> int:
    """The largest clipping or recording kept (settings.MEDIA_CLIP_MAX_BYTES)."""
    return int(settings.MEDIA_CLIP_MAX_BYTES)


@dataclass(frozen=True)
class CheckedClip:
    upload: UploadedFile[bytes]
    content_type: str


def check_clip(upload: UploadedFile[bytes]) -> CheckedClip:
    """A clipping or recording is a PDF, an image, an audio or a video file, by what its first
    bytes are (never its name or the type the browser sent), not empty and not too large."""
    name = rules.safe_file_name(upload.name or "")
    size = upload.size or 0
    if size == 0:
        raise BusinessError(_("%(name)s is empty.") % {"name": name}, field="clip")
    if size > clip_max_bytes():
        raise BusinessError(
            _("%(name)s is larger than %(limit)s.")
            % {"name": name, "limit": filesizeformat(clip_max_bytes())},
            code="clip_size",
            field="clip",
        )
    upload.seek(0)
    head = upload.read(rules.SNIFF_BYTES)
    upload.seek(0)
    content_type = rules.sniff(head)
    if content_type is None:
        raise BusinessError(
            _("%(name)s is not a PDF document, an image, or an audio or video recording.")
            % {"name": name},
            code="clip_type",
            field="clip",
        )
    return CheckedClip(upload, content_type)


@dataclass(frozen=True)
class NewNewsItem:
    outlet: Outlet
    published_on: date
    headline: str
    topic: MediaTopic
    tone: str
    medium: str = ""  # empty: the outlet's
    summary: str = ""
    url: str = ""
    dependency: Dependency | None = None
    authority: str = ""
    spokesperson: str = ""
    clip: UploadedFile[bytes] | None = None


def _check(data: NewNewsItem) -> None:
    if not data.headline.strip():
        raise BusinessError(_("Give the headline."), field="headline")
    if not dates.in_range(data.published_on):
        raise BusinessError(dates.OUT_OF_RANGE, field="published_on")
    if data.published_on > timezone.localdate():
        raise BusinessError(_("The publication date is in the future."), field="published_on")
    if data.medium and data.medium not in Medium.values:
        raise BusinessError(_("Unknown medium."), field="medium")
    if data.tone not in Tone.values:
        raise BusinessError(_("Choose the tone."), field="tone")
    if not data.outlet.is_active:
        raise BusinessError(_("That outlet is no longer followed."), field="outlet")
    if not data.topic.is_active:
        raise BusinessError(_("That topic is no longer in use."), field="topic")
    if data.dependency is not None and not data.dependency.is_active:
        raise BusinessError(_("That centre is no longer active."), field="dependency")


def _store_clip(item: NewsItem, clip: CheckedClip) -> None:
    """The file under its SHA-256 and the extension of its sniffed type, read in chunks (a
    recording is never held whole in memory); the same content twice is one file."""
    digest = hashlib.sha256()
    clip.upload.seek(0)
    for chunk in clip.upload.chunks():
        digest.update(chunk)
    clip.upload.seek(0)
    item.clip_sha256 = digest.hexdigest()
    item.clip_type = clip.content_type
    item.clip_size = clip.upload.size
    item.clip_name = rules.safe_file_name(clip.upload.name or "")
    extension = rules.ALLOWED[clip.content_type][0]
    path = clip_path(item, f"clip.{extension}")
    storage = item.clip.storage
    item.clip.name = path if storage.exists(path) else storage.save(path, clip.upload)


def do_register_news_item(data: NewNewsItem, *, acting_user: User) -> NewsItem:
    """Register a news item. Everything is checked before anything is written: a refused file
    or field leaves no row and no file."""
    _check(data)
    clip = check_clip(data.clip) if data.clip is not None else None
    outlet = data.outlet
    headline, summary = data.headline.strip(), data.summary.strip()
    with transaction.atomic():
        item = NewsItem(
            outlet=outlet,
            medium=data.medium or outlet.medium,
            published_on=data.published_on,
            headline=headline,
            summary=summary,
            url=data.url.strip(),
            topic=data.topic,
            dependency=data.dependency,
            authority=data.authority.strip(),
            tone=data.tone,
            spokesperson=data.spokesperson.strip(),
            registered_by=acting_user,
            registered_at=timezone.now(),
            search_text=rules.search_text(headline, summary, outlet.name),
            search_stems=rules.search_stems(headline, summary, outlet.name),
        )
        if clip is not None:
            _store_clip(item, clip)
        item.save(force_insert=True)
    return item


def do_make_case_from_item(
    item: NewsItem,
    *,
    opinion_type: OpinionType,
    dependency: Dependency,
    acting_user: User,
) -> Case:
    """Register the opinion case a news item reports (a service failure at `dependency`), on
    the channel CASE_CHANNEL, described by the item's outlet, date, headline, summary and link,
    and link it to the item. An item becomes one case only: a second time (or two people at
    once) is refused, and then no case is left registered."""
    if item.case_id is not None:
        raise BusinessError(_("This news item is already a case."), code="already_a_case")
    channel = Channel.objects.get(code=CASE_CHANNEL)
    publication = rules.Publication(
        outlet=item.outlet.name,
        medium=item.medium,
        published_on=item.published_on,
        headline=item.headline,
        summary=item.summary,
        url=item.url,
        spokesperson=item.spokesperson,
        authority=item.authority,
    )
    with transaction.atomic():
        case, _created = do_register_case(
            NewCase(
                kind=CaseKind.OPINION,
                channel=channel,
                opinion_type=opinion_type,
                dependency=dependency,
                description=rules.case_description(publication),
            ),
            acting_user=acting_user,
        )
        # Only if still without a case: the conditional UPDATE decides between two people who
        # pressed at once (on either database); the loser's case is rolled back with it.
        linked = NewsItem.objects.filter(pk=item.pk, case__isnull=True).update(case=case)
        if not linked:
            raise BusinessError(_("This news item is already a case."), code="already_a_case")
    item.case = case
    return case


def do_reindex_outlet(outlet: Outlet, *, batch: int = 1000) -> int:
    """Rewrite the search words of `outlet`'s items (its name is among them) after the outlet
    was renamed; returns how many items were rewritten."""
    done = 0
    with transaction.atomic():
        pending: list[NewsItem] = []
        items = NewsItem.objects.filter(outlet=outlet).only("id", "headline", "summary")
        for item in items.iterator(chunk_size=batch):
            item.search_text = rules.search_text(item.headline, item.summary, outlet.name)
            item.search_stems = rules.search_stems(item.headline, item.summary, outlet.name)
            pending.append(item)
            if len(pending) >= batch:
                NewsItem.objects.bulk_update(pending, ["search_text", "search_stems"])
                done += len(pending)
                pending = []
        if pending:
            NewsItem.objects.bulk_update(pending, ["search_text", "search_stems"])
            done += len(pending)
    return done
