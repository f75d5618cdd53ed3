from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_topics(sender: AppConfig, **kwargs: Any) -> None:
    from enlace.media.loading import ensure_topics

    ensure_topics()


class MediaConfig(AppConfig):
    name = "enlace.media"
    label = "media"
    verbose_name = _("Media monitoring")

    def ready(self) -> None:
        from enlace.cases import page_links
        from enlace.core import navigation
        from enlace.media.models import NewsItem
        from enlace.media.queries import monitors_media, reads_media_analysis

        post_migrate.connect(_ensure_topics, sender=self)

        # The archive for whoever keeps it; the analysis alone for whoever only reads reports.
        navigation.add_link("media:list", _("Media monitoring"), shown=monitors_media, order=47)
        navigation.add_link(
            "media:analysis",
            _("Media analysis"),
            shown=lambda user: reads_media_analysis(user) and not monitors_media(user),
            order=48,
        )
        # On the page of a case registered from a news item: the way back to the item (one
        # indexed look-up, for those who keep the archive only).
        page_links.add_link(
            "media:list",
            _("The news item this case came from"),
            shown=lambda user, case: (
                monitors_media(user) and NewsItem.objects.filter(case=case).exists()
            ),
            parameter="caso",
        )
