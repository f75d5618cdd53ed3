from collections.abc import Callable
from datetime import date
from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "enlace.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from enlace.cases.permissions import Capability, has_capability, report_scope
        from enlace.core import navigation

        def reader(user: Any) -> bool:
            return has_capability(user, Capability.VIEW_REPORTS)

        navigation.add_link("reports:dashboard", _("Dashboard"), shown=reader, order=60)
        navigation.add_link("reports:participation", _("Participation"), shown=reader, order=61)
        navigation.add_link("reports:compliance", _("Compliance"), shown=reader, order=62)
        navigation.add_link(
            "reports:mechanisms",
            _("Mechanisms report"),
            shown=lambda user: reader(user) and report_scope(user) is None,
            order=63,
        )
        register_subscriptions(reader)


def register_subscriptions(reader: Callable[[Any], bool]) -> None:
    """The participation report sent on schedule (enlace/subscriptions): of every centre, for
    whoever reads them all, and of one centre (a liaison's own), as its PDF for the period."""
    from enlace.cases.permissions import report_scope
    from enlace.reports.participation import Period, participation_report
    from enlace.reports.pdf import participation_pdf
    from enlace.subscriptions import registry

    def participation_file(start: date, end: date, dependency_ids: list[int] | None) -> bytes:
        report = participation_report(Period(start, end), dependency_ids=dependency_ids)
        return participation_pdf(report)

    registry.register(
        "participation",
        _("Citizen participation channels (all centres)"),
        participation_file,
        allowed=lambda user: reader(user) and report_scope(user) is None,
        needs_centre=False,
        order=10,
    )
    registry.register(
        "participation_centre",
        _("Citizen participation channels (one centre)"),
        participation_file,
        allowed=reader,
        needs_centre=True,
        order=11,
    )

    from enlace.participation.figures import Window
    from enlace.reports.mechanisms import mechanisms_pdf, period_report

    def mechanisms_file(start: date, end: date, dependency_ids: list[int] | None) -> bytes:
        return mechanisms_pdf(period_report(Window(start, end)))

    registry.register(
        "mechanisms",
        _("Participation mechanisms"),
        mechanisms_file,
        allowed=lambda user: reader(user) and report_scope(user) is None,
        needs_centre=False,
        order=20,
    )
