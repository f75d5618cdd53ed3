"""Personal data by need, and every view of it logged: the case page, the API (one case, a list
page, a step's answer), the caller's history, exports (in enlace/cases/tests/test_exports.py),
masked for roles and keys that do not need it, and bulk reads through the API limited."""

import pytest
from django.urls import reverse

from enlace.apikeys.testing import key_client
from enlace.privacy import access
from enlace.privacy.models import AccessVia

CITIZEN = {"name": "María José Núñez", "dui": "00016297-5", "phone": "+50371234567"}


@pytest.fixture
def person_case(make_case):
    return make_case(citizen={**CITIZEN, "email": "maria@example.com"}, description="Me dolía")


def logged(**filters):
    return list(access.log().filter(**filters).values_list("via", "case_id"))


def test_opening_a_case_page_is_logged(resolution, person_case, client_for):
    assert (
        client_for(resolution).get(reverse("cases:detail", args=[person_case.pk])).status_code
        == 200
    )
    assert logged(user=resolution) == [(AccessVia.CASE_PAGE, person_case.pk)]


@pytest.mark.parametrize("persona", ["analyst", "admin_role"])
def test_roles_that_read_figures_do_not_open_case_pages(request, person_case, client_for, persona):
    if persona == "admin_role":
        from conftest import make_user

        user = make_user("sistemas", "administrator")
    else:
        user = request.getfixturevalue(persona)
    client = client_for(user)
    assert client.get(reverse("cases:detail", args=[person_case.pk])).status_code == 403
    assert (
        client.post(
            reverse("cases:action", args=[person_case.pk, "comentar"]), {"body": "x"}
        ).status_code
        == 403
    )
    assert not access.log().exists()


def test_the_api_reads_in_clear_for_a_key_that_may_and_logs_each_case(person_case, make_case):
    others = [make_case() for _ in range(3)]
    client, key = key_client()
    body = client.get("/api/v1/cases", {"limit": 10}).json()
    mine = next(item for item in body["items"] if item["code"] == person_case.display_code)
    assert mine["citizen"]["dui"] == "00016297-5"
    assert mine["description"] == "Me dolía"
    rows = access.log().filter(api_key=key, via=AccessVia.API_LIST)
    assert sorted(rows.values_list("case_id", flat=True)) == sorted(
        [person_case.pk, *(case.pk for case in others)]
    )
    assert rows.first().user == key.user  # the key's service account
    client.get(f"/api/v1/cases/{person_case.display_code}")
    assert access.log().filter(api_key=key, via=AccessVia.API_READ).count() == 1


def test_a_key_without_personal_data_reads_masked_and_nothing_is_logged(person_case):
    client, _key = key_client(personal_data=False)
    body = client.get(f"/api/v1/cases/{person_case.display_code}").json()
    assert body["citizen"] == {
        "name": "M. J. N.",
        "dui": "0001••••-5",
        "affiliation": "",
        "phone": "••••-••67",
        "email": "m••••@example.com",
    }
    assert body["description"] == ""
    events = client.get(f"/api/v1/cases/{person_case.display_code}/events").json()
    assert all(event["note"] == "" for event in events)
    assert not access.log().exists()


def test_an_analyst_key_reads_masked_whatever_the_key_says(person_case):
    client, _key = key_client(role="analyst", can_write=False, personal_data=True)
    body = client.get(f"/api/v1/cases/{person_case.display_code}").json()
    assert body["citizen"]["dui"] == "0001••••-5"


def test_bulk_reads_in_clear_are_limited_per_key(make_case, settings):
    settings.PERSONAL_DATA_READS_PER_HOUR = 5
    for _ in range(4):
        make_case()
    client, key = key_client()
    assert client.get("/api/v1/cases", {"limit": 4}).status_code == 200
    refused = client.get("/api/v1/cases", {"limit": 4})
    assert refused.status_code == 429
    assert refused["Retry-After"]
    assert "personal data" in refused.json()["detail"]  # the test key asks in English
    in_spanish = client.get("/api/v1/cases", {"limit": 4}, HTTP_ACCEPT_LANGUAGE="es")
    assert "datos personales" in in_spanish.json()["detail"]
    # Nothing was read, so nothing more is logged; one more case still fits the hour.
    assert access.log().filter(api_key=key).count() == 4
    assert client.get("/api/v1/cases", {"limit": 1}).status_code == 200
    # Another key has its own hour.
    other, _other_key = key_client(name="Otro sistema")
    assert other.get("/api/v1/cases", {"limit": 4}).status_code == 200


def test_the_callers_history_is_logged_with_the_person_looked_up(agent, person_case, client_for):
    client = client_for(agent)
    response = client.get(
        reverse("callcentre:history"), {"citizen_phone": "7123-4567", "citizen_dui": ""}
    )
    assert person_case.display_code in response.content.decode()
    [row] = access.log().filter(user=agent)
    assert (row.via, row.case_id, row.subject) == (
        AccessVia.CALLER_HISTORY,
        person_case.pk,
        "+50371234567",
    )
    # Typing a number not yet complete looks nothing up, and logs nothing.
    client.get(reverse("callcentre:history"), {"citizen_phone": "7123", "citizen_dui": ""})
    assert access.log().filter(user=agent).count() == 1


def test_an_information_request_page_and_its_resolution_are_logged(oir, client_for):
    from enlace.oir import actions

    info, _created = actions.do_register_request(
        actions.NewRequest(
            channel="in_person",
            requester_name="María",
            document_type="dui",
            document_number="04567890-3",
            notify_by="office",
            description="Contratos",
            gender="female",
        ),
        acting_user=oir,
    )
    assert client_for(oir).get(reverse("oir:detail", args=[info.pk])).status_code == 200
    assert list(access.log().filter(user=oir).values_list("via", "information_request")) == [
        (AccessVia.OIR_REQUEST, info.pk)
    ]


def test_downloading_an_imports_rejected_rows_is_logged(admin_user, client_for, settings, tmp_path):
    from django.core.files.base import ContentFile

    from enlace.imports.models import ImportJob

    settings.MEDIA_ROOT = tmp_path
    job = ImportJob.objects.create(
        created_by=admin_user,
        original_name="casos.csv",
        skip_invalid=True,
        file=ContentFile(b"x", name="casos.csv"),
        rejected_file=ContentFile(b"linea,motivo\n", name="r.csv"),
    )
    response = client_for(admin_user).get(reverse("imports:rejected", args=[job.pk]))
    assert response.status_code == 200
    row = access.log().get(user=admin_user)
    assert (row.via, row.subject) == (AccessVia.IMPORT_FILE, f"import:{job.pk}")


def test_a_page_read_through_the_api_is_one_row_found_by_the_officer_at_once(
    person_case, make_case, dpo, client_for
):
    """The request writes the page as one batch; the officer's search expands it before it
    reads, so the API's read is there at once, one row per case."""
    from enlace.privacy.models import AccessBatch

    others = [make_case() for _ in range(2)]
    client, key = key_client()
    assert client.get("/api/v1/cases", {"limit": 10}).status_code == 200
    batch = AccessBatch.objects.get()
    assert sorted(batch.case_ids) == sorted([person_case.pk, *(case.pk for case in others)])
    page = client_for(dpo).get(reverse("privacy:access_log"), {"dui": CITIZEN["dui"]})
    assert person_case.display_code in page.content.decode()
    assert "API: una lista de casos" in page.content.decode()
    assert not AccessBatch.objects.exists()
    assert sorted(logged(api_key=key)) == sorted(
        (AccessVia.API_LIST, case.pk) for case in [person_case, *others]
    )


def test_expanding_leaves_out_a_case_deleted_since_and_never_writes_a_row_twice(
    make_case, monkeypatch
):
    kept, gone, other = make_case(), make_case(), make_case()
    assert access.record(None, AccessVia.API_LIST, case_ids=[kept.pk, gone.pk, kept.pk]) == 2
    assert access.record(None, AccessVia.CASE_LIST, case_ids=[gone.pk, other.pk]) == 2
    gone.delete()
    monkeypatch.setattr(access, "EXPAND_CHUNK", 1)  # one transaction per batch
    assert access.expand_batches() == 2
    assert access.expand_batches() == 0
    assert sorted(logged()) == [(AccessVia.API_LIST, kept.pk), (AccessVia.CASE_LIST, other.pk)]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_expanders_at_once_write_each_row_once(request):
    """The sweeper and an officer's search expanding together: the second waits for the first's
    DELETE, then finds the batch gone."""
    import threading

    from django.db import connection, connections, transaction

    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time")
    make_case = request.getfixturevalue("make_case")
    ids = [make_case().pk for _ in range(3)]
    access.record(None, AccessVia.API_LIST, case_ids=ids)
    expanded: list[int] = []

    def second() -> None:
        try:
            expanded.append(access.expand_batches())  # blocks until the first commits
        finally:
            connections.close_all()

    with transaction.atomic():
        expanded.append(access.expand_batches())
        waiting = threading.Thread(target=second)
        waiting.start()
        waiting.join(timeout=1)
        assert waiting.is_alive()  # held by the first's lock on the batch
    waiting.join(timeout=10)
    assert expanded == [3, 0]
    assert sorted(case_id for _via, case_id in logged()) == sorted(ids)
