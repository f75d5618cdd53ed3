from datetime import datetime

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "enlace.imports"
    label = "imports"
    verbose_name = _("Historical imports")

    def ready(self) -> None:
        from enlace.cases.history import label_change
        from enlace.cases.permissions import Capability, has_capability
        from enlace.core import navigation, sweeping

        # An imported case's history names the file and line it came from (staging.py).
        label_change("source", _("Imported from"))

        navigation.add_link(
            "imports:list",
            _("Import"),
            shown=lambda user: has_capability(user, Capability.IMPORT_CASES),
            order=70,
        )
        # Jobs left queued (their task lost, or the queue down at the upload) go back to it.
        sweeping.register("imports.queued", _requeue_queued, order=45)
        # Jobs left running by a process that died are marked failed (PostgreSQL's leases).
        sweeping.register("imports.abandoned", _fail_abandoned, order=46)


def _requeue_queued(now: datetime) -> dict[str, int]:
    from enlace.imports.jobs import requeue_queued

    return {"import jobs requeued": requeue_queued(now)}


def _fail_abandoned(now: datetime) -> dict[str, int]:
    from enlace.imports.jobs import fail_abandoned

    return {"import jobs abandoned": fail_abandoned(now)}
