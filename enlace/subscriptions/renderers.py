"""The reports of the domain apps below this one, registered here (SubscriptionsConfig.ready()):
the report apps above register their own (enlace/reports registers participation).

- Satisfaction: the portal's ratings of the answers, the one continuous study of
  enlace/surveys, its results PDF limited to the days of the period (and to the centres). The
  other studies have their own period and results: a study's PDF is of one study, so "the
  studies closed in the period" would be several documents, and is not offered.
- The media analysis (enlace/media's `media_report_pdf(period_start, period_end)`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _

from enlace.cases.permissions import Capability, has_capability, report_scope
from enlace.core.errors import BusinessError
from enlace.media.pdf import media_report_pdf
from enlace.subscriptions import registry
from enlace.surveys.actions.portal import portal_study
from enlace.surveys.pdf import results_pdf
from enlace.surveys.queries import can_see_results, centre_scope
from enlace.surveys.results import Filters, study_results


def satisfaction_pdf(start: date, end: date, dependency_ids: list[int] | None) -> bytes:
    study = portal_study()
    if study is None:
        raise BusinessError("no portal ratings study: run manage.py load_portal_study")
    filters = Filters(dependency_ids=dependency_ids, date_from=start, date_to=end)
    return results_pdf(study_results(study, filters))


def sees_results(user: Any) -> bool:
    return can_see_results(user)


def sees_all_results(user: Any) -> bool:
    return sees_results(user) and centre_scope(user) is None


def reads_media(user: Any) -> bool:
    """The media analysis is of the whole institute: for communications (who keep the
    archive) and for whoever reads every centre's figures."""
    return has_capability(user, Capability.MONITOR_MEDIA) or (
        has_capability(user, Capability.VIEW_REPORTS) and report_scope(user) is None
    )


def register_media(renderer: Callable[[date, date], bytes] | None) -> bool:
    if renderer is None:
        return False

    def media_pdf(start: date, end: date, dependency_ids: list[int] | None) -> bytes:
        return renderer(start, end)

    registry.register(
        "media", _("Media analysis"), media_pdf, allowed=reads_media, needs_centre=False, order=40
    )
    return True


def register_all() -> None:
    registry.register(
        "satisfaction",
        _("Satisfaction with the answers, portal ratings (all centres)"),
        satisfaction_pdf,
        allowed=sees_all_results,
        needs_centre=False,
        order=30,
    )
    registry.register(
        "satisfaction_centre",
        _("Satisfaction with the answers, portal ratings (one centre)"),
        satisfaction_pdf,
        allowed=sees_results,
        needs_centre=True,
        order=31,
    )
    register_media(media_report_pdf)
