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
