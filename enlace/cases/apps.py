from datetime import datetime
from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_deadline_policies(sender: AppConfig, **kwargs: Any) -> None:
    """After every migrate, create the default deadline policies that are missing (the
    catalogues, which they refer to, are loaded first: the catalogues app comes earlier in
    INSTALLED_APPS). Edits made in the admin are kept."""
    from enlace.cases.loading import load_deadline_policies

    load_deadline_policies(update_existing=False)


class CasesConfig(AppConfig):
    name = "enlace.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        # Registers its reference data (enlace/core/reference.py) in every process, so a
        # change made anywhere, a management command included, reaches every cache.
        from enlace.cases import deadlines  # noqa: F401

        post_migrate.connect(_ensure_deadline_policies, sender=self)
        from enlace.cases import data_protection

        data_protection.register()  # finding, correcting, erasing a person's cases
        _register_header_links()
        _register_answer_templates()
        _register_sweep_jobs()


def _register_header_links() -> None:
    from enlace.cases.permissions import Capability, case_scope, has_capability
    from enlace.core import navigation

    def works_cases(user: Any) -> bool:
        return case_scope(user) is not None

    def owns_cases(user: Any) -> bool:
        return works_cases(user) and has_capability(user, Capability.OWN)

    # Who works cases starts on their own queue; who only reads them, on the list.
    navigation.add_home("cases:queue", shown=owns_cases, order=10)
    navigation.add_home("cases:list", shown=works_cases, order=90)
    navigation.add_link("cases:list", _("Cases"), shown=works_cases, order=10)
    navigation.add_link("cases:queue", _("Work queue"), shown=works_cases, order=20)
    navigation.add_link(
        "cases:new",
        _("Register"),
        shown=lambda user: has_capability(user, Capability.REGISTER),
        order=30,
        accesskey="n",
    )


def _register_answer_templates() -> None:
    from enlace.cases.answer_templates import load_answer_templates
    from enlace.catalogues.loading import register_extra

    # The answer templates every installation starts with, added by `load_catalogues`.
    register_extra("answer_template", load_answer_templates)


def _register_sweep_jobs() -> None:
    from enlace.cases.sweeper import sweep_deadlines
    from enlace.core import sweeping

    def deadlines_due(now: datetime) -> dict[str, int]:
        counts = sweep_deadlines(now=now)
        return {label: counts[label] for label in ("reminded", "missed", "escalated")}

    sweeping.register("cases.deadlines", deadlines_due, order=10)
    sweeping.register("cases.rollups", _sweep_rollups, order=15)


def _sweep_rollups(now: datetime) -> dict[str, int]:
    from enlace.cases import rollups

    return rollups.sweep(now)
