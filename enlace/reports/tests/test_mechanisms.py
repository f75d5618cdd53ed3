"""Seed 002's table counted from a small hand-made year: the figures of each part against a
hand count, and the same table for any period as a subscription mails it."""

import io
from datetime import date, datetime

import pytest
from django.utils import timezone
from pypdf import PdfReader

from enlace.cases.lifecycle import CaseStatus
from enlace.cases.models import Case
from enlace.directory.models import Dependency, Municipality
from enlace.participation.figures import Window
from enlace.participation.models import (
    AccountFigures,
    EventCentre,
    Mechanism,
    ParticipationEvent,
    ReportingYear,
    SocialAccount,
)
from enlace.reports.mechanisms import mechanisms_report
from enlace.subscriptions import registry


@pytest.fixture
def year(db, resolution, make_case):
    festivals = Mechanism.objects.get(code="ferias_salud")
    places = [("Ilobasco", "central"), ("Ilobasco", "central"), ("Chalchuapa", "occidente")]
    for number, (place, region) in enumerate(places, start=1):
        event = ParticipationEvent.objects.create(
            mechanism=festivals,
            name=f"Festival {number}",
            starts_on=date(2020, number, 10),
            ends_on=date(2020, number, 10),
            municipality=Municipality.objects.get(name=place),
            region=region,
            attendance=100 * number,
            created_by=resolution,
        )
        for code in ("HG", "UM-ZAC")[: number % 2 + 1]:
            EventCentre.objects.create(
                event=event,
                dependency=Dependency.objects.get(code=code),
                mechanism=festivals,
                starts_on=event.starts_on,
            )
    # An event of the next year is not counted.
    ParticipationEvent.objects.create(
        mechanism=festivals,
        name="Festival 2021",
        starts_on=date(2021, 1, 5),
        ends_on=date(2021, 1, 5),
        municipality=Municipality.objects.get(name="Ilobasco"),
        region="central",
        created_by=resolution,
    )
    account = SocialAccount.objects.get(handle="@isss_gob_sv")
    for day, followers, interactions in (
        (date(2019, 12, 31), 1_000, 50),
        (date(2020, 6, 30), 1_400, 70),
        (date(2020, 12, 31), 1_900, 30),
    ):
        AccountFigures.objects.create(
            account=account,
            on=day,
            followers=followers,
            interactions=interactions,
            recorded_by=resolution,
        )
    ReportingYear.objects.create(
        year=2020, opinions_from=date(2020, 8, 1), opinions_to=date(2020, 12, 31)
    )
    zone = timezone.get_current_timezone()
    for channel, month, status in (
        ("llamada_127", 9, None),
        ("llamada_127", 3, None),
        ("facebook", 10, None),
        ("llamada_127", 9, CaseStatus.VOID),
    ):
        case = make_case(channel=channel)
        received = datetime(2020, month, 15, 10, tzinfo=zone)
        Case.objects.filter(pk=case.pk).update(
            received_at=received, **({"status": status} if status else {})
        )


def test_each_part_is_counted_as_by_hand(year):
    report = mechanisms_report(2020)
    by_code = {m["code"]: m for m in report["mechanisms"]}
    events = by_code["ferias_salud"]["events"]
    assert (events["count"], events["attendance"], events["centres"], events["places"]) == (
        3,
        600,
        2,
        2,
    )
    assert [(r["code"], r["count"], r["percent"]) for r in events["by_region"] if r["count"]] == [
        ("central", 1, "50.00"),
        ("occidente", 1, "50.00"),
    ]
    assert events["place_names"] == ["Chalchuapa", "Ilobasco"]
    # Opinions in the year's window only (August to December), the void one not counted.
    assert by_code["centro_llamadas"]["opinions"]["count"] == 1
    assert by_code["redes_sociales"]["opinions"]["count"] == 1
    [account] = [a for a in by_code["redes_sociales"]["accounts"] if a["handle"] == "@isss_gob_sv"]
    assert (account["followers_from"], account["followers_to"], account["growth"]) == (
        1_000,
        1_900,
        900,
    )
    assert account["interactions"] == 100  # June's and December's, not December 2019's
    assert "ferias_transparencia" not in by_code  # no fair that year


def test_a_subscription_receives_the_table_of_its_period(year):
    report = registry.get("mechanisms")
    assert report is not None
    pdf = report.render_pdf(date(2020, 1, 1), date(2020, 3, 31), None)
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Mecanismos de participación institucional, 01/01/2020 a 31/03/2020" in text
    assert "3 eventos del 01/01/2020 al 31/03/2020" in text
    assert Window(date(2020, 1, 1), date(2020, 3, 31)).start.month == 1
