from collections.abc import Sequence

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "enlace.portal"
    label = "portal"
    verbose_name = _("Citizens' portal")

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy

        from enlace.cases.history import label_change
        from enlace.privacy.registry import register_case_eraser

        register_case_eraser(_erase_for_cases)
        # The citizen's rating of the answer, in the case's history (actions.do_rate_case).
        label_change("satisfaction", gettext_lazy("Citizen's rating of the answer"))


def _erase_for_cases(case_ids: Sequence[int]) -> int:
    """What the portal keeps of erased cases' people: the rating's comment, the clave."""
    from enlace.portal.models import SatisfactionRating, TrackingKey

    erased = (
        SatisfactionRating.objects.filter(case_id__in=case_ids)
        .exclude(comment="")
        .update(comment="")
    )
    deleted, _kinds = TrackingKey.objects.filter(case_id__in=case_ids).delete()
    return erased + deleted
