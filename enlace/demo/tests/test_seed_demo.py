"""`make run` loads demo data with `manage.py seed_demo`: it must work twice and look real."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count

from enlace.accounts.models import Role, User
from enlace.cases.models import Case, CaseEvent


@pytest.fixture
def debug(settings):
    settings.DEBUG = True  # as in `make run`; pytest-django turns it off


@pytest.mark.django_db
def test_it_creates_a_user_per_role_and_a_year_of_cases_and_can_run_again(debug):
    out = StringIO()
    call_command(
        "seed_demo",
        opinions=300,
        inquiries=700,
        seed_semester=False,
        seed_studies=False,
        stdout=out,
    )
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    assert Case.objects.count() == 1000
    assert "enlace-demo" in out.getvalue()
    assert "agente" in out.getvalue()

    call_command("seed_demo", seed_semester=False, seed_studies=False, stdout=StringIO())
    assert Case.objects.count() == 1000
    assert User.objects.filter(username="agente").count() == 1
    assert User.objects.get(username="agente").check_password("enlace-demo")


@pytest.mark.django_db
def test_demo_cases_follow_the_proportions_of_the_seeds(debug):
    call_command(
        "seed_demo",
        opinions=600,
        inquiries=2000,
        seed_semester=False,
        seed_studies=False,
        stdout=StringIO(),
    )
    inquiries = Case.objects.filter(kind="consulta")
    by_phone = inquiries.filter(channel__code="llamada_127").count() / inquiries.count()
    assert by_phone > 0.95
    opinions = Case.objects.filter(kind="opinion")
    claims = opinions.filter(opinion_type__code__in=["reclamo", "queja"]).count()
    assert 0.7 < claims / opinions.count() < 0.87
    hospitals = opinions.filter(level_of_care="hospital").count() / opinions.count()
    assert 0.45 < hospitals < 0.67
    top_channel = (
        opinions.values("channel__code").annotate(n=Count("id")).order_by("-n")[0]["channel__code"]
    )
    assert top_channel == "llamada_127"
    # Every case has its history, and each opinion of a claim type names its limitante.
    assert not Case.objects.filter(events__isnull=True).exists()
    assert not opinions.filter(opinion_type__code="reclamo", limitante__isnull=True).exists()
    assert (
        CaseEvent.objects.filter(kind="closed").count()
        == Case.objects.filter(status="closed").count()
    )


@pytest.mark.django_db
def test_it_refuses_to_create_known_passwords_in_production(settings):
    settings.DEBUG = False
    with pytest.raises(Exception, match="DEBUG off"):
        call_command("seed_demo", stdout=StringIO())
    assert not User.objects.exists()


@pytest.mark.django_db
def test_the_printed_api_key_reads_the_demo_cases_and_stays_revoked_once_revoked(debug, client):
    from enlace.apikeys.actions import do_revoke_api_key
    from enlace.apikeys.models import ApiKey
    from enlace.demo.apikeys import DEMO_API_KEY

    out = StringIO()
    call_command(
        "seed_demo", opinions=20, inquiries=20, seed_semester=False, seed_studies=False, stdout=out
    )
    assert DEMO_API_KEY in out.getvalue()
    answer = client.get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {DEMO_API_KEY}")
    assert answer.status_code == 200
    assert len(answer.json()["items"]) > 0

    call_command("seed_demo", seed_semester=False, seed_studies=False, stdout=StringIO())
    assert ApiKey.objects.count() == 1

    do_revoke_api_key(ApiKey.objects.get(), acting_user=User.objects.get(username="admin"))
    out = StringIO()
    call_command("seed_demo", seed_semester=False, seed_studies=False, stdout=out)
    assert DEMO_API_KEY not in out.getvalue()
    answer = client.get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {DEMO_API_KEY}")
    assert answer.status_code == 401
