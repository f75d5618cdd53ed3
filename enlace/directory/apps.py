from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_reference_data(sender: AppConfig, **kwargs: Any) -> None:
    """After every migrate (deploys, test databases), create what the data file has and the
    database lacks. Edits made in the admin are kept; `manage.py load_directory` overwrites them."""
    from enlace.directory.loading import load_directory, load_municipalities

    load_directory(update_existing=False)
    load_municipalities(update_existing=False)


class DirectoryConfig(AppConfig):
    name = "enlace.directory"
    label = "directory"
    verbose_name = _("Directory")

    def ready(self) -> None:
        # Registers its reference data (enlace/core/reference.py) in every process, so a
        # change made anywhere, a management command included, reaches every cache.
        from enlace.directory import queries  # noqa: F401

        post_migrate.connect(_ensure_reference_data, sender=self)
