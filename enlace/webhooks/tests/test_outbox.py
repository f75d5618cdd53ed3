"""The hook in the case history: a delivery row per subscribed endpoint, written in the case's
own transaction, with the exact body, no personal data, and nothing (beyond one cheap query)
when nobody subscribes. Bulk imports announce nothing."""

import json
import uuid

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from enlace.cases import actions
from enlace.cases.models import Case, CaseEvent, EventKind
from enlace.directory.models import Dependency
from enlace.imports.tests.test_import_cases import GOOD, run, write
from enlace.webhooks.actions import do_deactivate_webhook_endpoint
from enlace.webhooks.models import DeliveryStatus, WebhookDelivery
from enlace.webhooks.outbox import record
from enlace.webhooks.signing import new_secret

URL = "http://127.0.0.1:9/hook"


def queued():
    """The delivery ids waiting in the database queue."""
    return [
        row.args_kwargs["args"][0]
        for row in DBTaskResult.objects.filter(task_path__endswith="deliver_webhook")
    ]


def citizen():
    return {
        "name": "María José Hernández",
        "dui": "00016297-5",
        "phone": "+50371234567",
        "email": "maria@example.com",
    }


def test_a_new_case_writes_one_delivery_per_subscribed_endpoint(
    make_case, make_endpoint, agent, django_capture_on_commit_callbacks
):
    everything = make_endpoint(URL, name="BI")
    created_only = make_endpoint(URL, events=["case.created"], name="Web")
    make_endpoint(URL, events=["case.closed"], name="Closed only")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        case = make_case(type="queja", centre="HG", by=agent, citizen=citizen())
    assert len(callbacks) == 1  # nothing is enqueued before the commit
    assert not queued()
    with django_capture_on_commit_callbacks(execute=True):
        callbacks[0]()  # the commit
    assert sorted(queued()) == sorted(WebhookDelivery.objects.values_list("pk", flat=True))
    deliveries = WebhookDelivery.objects.order_by("endpoint__name")
    assert [(d.endpoint, d.event_type, d.case) for d in deliveries] == [
        (everything, "case.created", case),
        (created_only, "case.created", case),
    ]
    assert {d.status for d in deliveries} == {DeliveryStatus.PENDING}
    first, second = deliveries
    assert first.body == second.body  # the same event, hence the same id, for every endpoint
    assert first.uuid != second.uuid  # but two deliveries


def test_the_body_describes_the_case_without_personal_data(
    make_case, make_endpoint, agent, django_capture_on_commit_callbacks
):
    make_endpoint(URL)
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(type="queja", centre="HG", by=agent, citizen=citizen())
    case.refresh_from_db()
    delivery = WebhookDelivery.objects.get()
    body = json.loads(delivery.body)
    uuid.UUID(body["id"])
    assert body["type"] == "case.created"
    event = case.events.get(kind=EventKind.REGISTERED)
    assert body["occurred_at"].endswith("-06:00")  # ISO 8601 with the offset
    assert body["occurred_at"][:19] == event.at.astimezone(body_zone()).isoformat()[:19]
    assert body["case"] == {
        "id": case.pk,
        "tracking_code": case.display_code,
        "kind": "opinion",
        "type": "queja",
        "topic": None,
        "status": "received",
        "centre": "HG",
        "channel": "llamada_127",
        "received_at": case.received_at.astimezone(body_zone()).isoformat(timespec="seconds"),
        # Set after the case's first history row: the body is brought up to date on commit.
        "due_on": case.next_due_on.isoformat(),
        "closed_at": None,
    }
    for secret in ("María", "Hernández", "00016297", "71234567", "maria@example.com", "trató"):
        assert secret not in delivery.body
    assert case.description not in delivery.body


def body_zone():
    from zoneinfo import ZoneInfo

    return ZoneInfo("America/El_Salvador")


def test_each_step_is_announced_as_its_event(
    make_case, make_endpoint, resolution, liaison, django_capture_on_commit_callbacks
):
    make_endpoint(URL)

    def committed(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    case = committed(make_case, type="queja", centre="HG")
    committed(actions.do_acknowledge_case, case, acting_user=resolution)  # not announced
    committed(actions.do_add_comment, case, "Llamar", acting_user=resolution)  # not announced
    zacamil = Dependency.objects.get(code="UM-ZAC")
    case = committed(actions.do_assign_case, case, zacamil, acting_user=resolution)
    case = committed(actions.do_propose_answer, case, "Se repondrá.", acting_user=liaison)
    case = committed(actions.do_answer_case, case, "El lunes.", acting_user=resolution)
    committed(actions.do_close_case, case, acting_user=resolution, accepted=True)
    types = list(WebhookDelivery.objects.order_by("id").values_list("event_type", flat=True))
    assert types == ["case.created", "case.assigned", "case.answered", "case.closed"]
    assigned = json.loads(WebhookDelivery.objects.get(event_type="case.assigned").body)
    assert (assigned["case"]["status"], assigned["case"]["centre"]) == ("assigned", "UM-ZAC")
    closed = json.loads(WebhookDelivery.objects.get(event_type="case.closed").body)
    assert closed["case"]["status"] == "closed"
    assert closed["case"]["closed_at"] is not None


def test_an_inquiry_answered_at_once_is_created_and_closed(
    make_case, make_endpoint, django_capture_on_commit_callbacks
):
    make_endpoint(URL)
    with django_capture_on_commit_callbacks(execute=True):
        make_case("consulta", answered_at_first_contact=True, answer="De 7 a 19 h.")
    types = list(WebhookDelivery.objects.order_by("id").values_list("event_type", flat=True))
    assert types == ["case.created", "case.closed"]
    body = json.loads(WebhookDelivery.objects.get(event_type="case.created").body)
    assert (body["case"]["kind"], body["case"]["topic"], body["case"]["type"]) == (
        "consulta",
        "horarios",
        None,
    )


def test_an_endpoint_for_one_centre_hears_only_its_cases(
    make_case, make_endpoint, resolution, django_capture_on_commit_callbacks
):
    zacamil = Dependency.objects.get(code="UM-ZAC")
    endpoint = make_endpoint(URL, dependency=zacamil)
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(type="queja", centre="HG")
        assert not WebhookDelivery.objects.exists()
        actions.do_assign_case(case, zacamil, acting_user=resolution)  # now it is Zacamil's
        make_case(type="queja", centre="UM-ZAC")
    assert list(WebhookDelivery.objects.order_by("id").values_list("endpoint", "event_type")) == [
        (endpoint.pk, "case.assigned"),
        (endpoint.pk, "case.created"),
    ]


def test_an_inactive_endpoint_gets_nothing(make_case, make_endpoint, admin_user):
    endpoint = make_endpoint(URL)
    do_deactivate_webhook_endpoint(endpoint, acting_user=admin_user)
    make_case()
    assert not WebhookDelivery.objects.exists()


def test_a_rolled_back_change_writes_no_delivery(make_case, make_endpoint, resolution):
    make_endpoint(URL)
    case = make_case()
    WebhookDelivery.objects.all().delete()

    class Boom(Exception):
        pass

    def assign_then_fail():
        with transaction.atomic():
            actions.do_assign_case(case, case.dependency, acting_user=resolution)
            assert WebhookDelivery.objects.count() == 1
            raise Boom

    with pytest.raises(Boom):
        assign_then_fail()
    assert not WebhookDelivery.objects.exists()
    case.refresh_from_db()
    assert case.status == "received"


def test_without_endpoints_the_hook_costs_one_query(make_case, django_assert_num_queries):
    case = make_case()
    event = CaseEvent.objects.select_related("case").get(case=case, kind=EventKind.REGISTERED)
    with django_assert_num_queries(1):
        record(event)
    comment = CaseEvent(case=case, kind=EventKind.COMMENTED, note="x", at=event.at)
    with django_assert_num_queries(0):
        record(comment)  # nothing any endpoint could want: not even the query


def test_with_an_endpoint_that_does_not_want_it_one_query(
    make_case, make_endpoint, django_assert_num_queries
):
    make_endpoint(URL, events=["case.closed"])
    case = make_case()
    event = CaseEvent.objects.select_related("case").get(case=case, kind=EventKind.REGISTERED)
    with django_assert_num_queries(1):
        record(event)


def test_bulk_imports_announce_nothing(db, tmp_path, make_endpoint):
    make_endpoint(URL)
    error, _out, _err = run(write(tmp_path, GOOD))
    assert error is None
    assert Case.objects.count() == 3
    assert not WebhookDelivery.objects.exists()


def test_secrets_are_generated_by_enlace(make_endpoint):
    first, second = make_endpoint(URL), make_endpoint(URL)
    assert first.secret.startswith("whsec_")
    assert first.secret != second.secret
    assert len(new_secret()) == len(first.secret)
