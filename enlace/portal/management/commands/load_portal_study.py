"""Make the portal's ratings one continuous study in the surveys' results (safe to repeat):
the instrument "Valoración de la respuesta (portal)" and its study at every active care centre
(enlace/surveys/actions/portal.py), then the responses of the ratings given before it existed.
`make setup` runs it after the demo data; run it again after adding care centres."""

from collections.abc import Iterator
from typing import Any

from django.core.management.base import BaseCommand
from django.db.models import Min
from django.utils import timezone

from enlace.portal.actions import FFT_OF
from enlace.portal.models import Satisfaction, SatisfactionRating
from enlace.surveys.actions.portal import Rating, do_backfill_portal_ratings, do_ensure_portal_study


def ratings() -> Iterator[Rating]:
    rows = (
        SatisfactionRating.objects.order_by("pk")
        .values_list("case_id", "case__dependency_id", "rating", "comment", "rated_at")
        .iterator(chunk_size=2000)
    )
    for case_id, dependency_id, rating, comment, rated_at in rows:
        if rating in Satisfaction.values:
            yield Rating(case_id, dependency_id, FFT_OF[Satisfaction(rating)], comment, rated_at)


class Command(BaseCommand):
    help = "Create the portal ratings' continuous study (idempotent) and backfill its responses."

    def handle(self, *args: Any, **options: Any) -> None:
        first = SatisfactionRating.objects.aggregate(first=Min("rated_at"))["first"]
        ensured = do_ensure_portal_study(start=timezone.localdate(first) if first else None)
        added = do_backfill_portal_ratings(ratings())
        self.stdout.write(
            f"portal study {ensured.study.pk}: "
            f"{'created' if ensured.created else 'already there'}, "
            f"{ensured.centres_added} centres added, {added} ratings added as responses"
        )
