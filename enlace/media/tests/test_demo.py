"""The demo archive (enlace/demo/media.py, called by seed_demo): outlets, about 150 items in 2016
and this year, found by the search and counted by the analysis; safe to run again."""

from __future__ import annotations

from datetime import date

from enlace.demo.media import OUTLETS, seed_media
from enlace.media.analysis import media_analysis
from enlace.media.models import NewsItem, Outlet
from enlace.media.queries import search


def test_the_demo_archive_is_seeded_once(db):
    today = date(2026, 6, 15)
    seeded = seed_media(today=today)
    assert seeded.outlets == len(OUTLETS) == Outlet.objects.count()
    assert seeded.items == NewsItem.objects.count() == 150
    assert NewsItem.objects.filter(published_on__year=2016).count() == 75
    assert not NewsItem.objects.filter(published_on__gt=today).exists()
    # Diario El Salvador was founded in 2019: none of its items is of 2016.
    assert not NewsItem.objects.filter(
        outlet__code="diario-el-salvador", published_on__year=2016
    ).exists()
    assert search(NewsItem.objects.all(), "hospitales").exists()
    year = media_analysis(date(2016, 1, 1), date(2016, 12, 31))
    assert year.total == 75
    assert {row.key for row in year.by_tone} == {"positive", "neutral", "negative"}
    assert seed_media(today=today).items == 0
    assert NewsItem.objects.count() == 150


def test_the_demo_headlines_read_as_spanish(db):
    seed_media(today=date(2026, 6, 15))
    headlines = list(NewsItem.objects.values_list("headline", flat=True))
    assert not [h for h in headlines if "{" in h or " de el " in h or " a el " in h]
    assert any(" en el Hospital" in h or " en la Unidad" in h for h in headlines)
