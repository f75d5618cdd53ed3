"""The reports a person may subscribe to, registered by the apps that render them.

This app sits below the report apps (enlace/reports and the like: interfaces), so it never
imports them; each registers its reports in its `AppConfig.ready()`:

    registry.register(
        "participation",
        _("Citizen participation channels: all centres"),
        render_pdf,                      # (start, end, dependency_ids) -> bytes
        allowed=lambda user: ...,        # may `user` receive it?
        needs_centre=False,
    )

`render_pdf(start, end, dependency_ids)` returns the PDF of the period from `start` to `end`
(both included); `dependency_ids` is None for the whole institute, or the centres the report is
limited to (a centre's own report: the centre and those below it that the subscriber sees). A
report with `needs_centre` is subscribed to for one centre, fixed to their own for a user whose
`report_scope` is limited (a liaison).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django_stubs_ext import StrOrPromise

RenderPdf = Callable[[date, date, list[int] | None], bytes]
KEY = re.compile(r"^[a-z0-9_]{1,40}$")  # stored in ReportSubscription.report


@dataclass(frozen=True)
class Report:
    key: str
    label: StrOrPromise
    render_pdf: RenderPdf
    allowed: Callable[[Any], bool]
    needs_centre: bool
    order: int


_REPORTS: dict[str, Report] = {}


def register(
    key: str,
    label: StrOrPromise,
    render_pdf: RenderPdf,
    *,
    allowed: Callable[[Any], bool],
    needs_centre: bool,
    order: int = 50,
) -> None:
    """Add (or replace) the report `key` (lower case letters, digits and _, at most 40)."""
    if not KEY.match(key):
        raise ValueError(f"a report key is 1-40 characters a-z, 0-9 or _: {key!r}")
    _REPORTS[key] = Report(key, label, render_pdf, allowed, needs_centre, order)


def get(key: str) -> Report | None:
    return _REPORTS.get(key)


def reports() -> list[Report]:
    """Every registered report, by `order`, then key."""
    return sorted(_REPORTS.values(), key=lambda report: (report.order, report.key))


def offered_to(user: Any) -> list[Report]:
    """The reports `user` may subscribe to."""
    return [report for report in reports() if report.allowed(user)]


def label_of(key: str) -> StrOrPromise:
    """The report's name, or its key if it is no longer registered."""
    report = _REPORTS.get(key)
    return report.label if report else key
