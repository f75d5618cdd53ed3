"""Bad input is refused with a clear message and nothing stored changes: no description, no
way to notify, an outcome without its legal ground, an extension without a reason (or after the
deadline, in test_deadline_wiring), a notification dated before the resolution. The database
refuses the same rows if an action is ever bypassed."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from enlace.core.errors import BusinessError
from enlace.oir import actions
from enlace.oir.models import InformationRequest, RequestEvent, RequestItem
from enlace.oir.tests.test_workflow import intake_data

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"description": "  "}, "description", "Describe clearly the information requested."),
        ({"notify_by": "email", "email": ""}, "email", "Write the e-mail where you are"),
        ({"notify_by": "address", "address": ""}, "address", "Write the address where you are"),
        ({"notify_by": ""}, "notify_by", "Say where you are to be notified."),
        ({"requester_name": ""}, "requester_name", "Write the requester's name."),
        (
            {"document_type": "dui", "document_number": "12345678-9"},
            "document_number",
            "is not valid",
        ),
    ],
)
def test_the_intake_refuses_incomplete_requests(oir, client_for, overrides, field, message):
    response = client_for(oir).post(reverse("oir:new"), intake_data(**overrides), **EN)
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors.get(field, [])) or message in (
        response.content.decode()
    )
    assert not InformationRequest.objects.exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"outcome": "reserved"}, "reserved_entry", "must cite the entry of the index"),
        ({"outcome": "confidential"}, "confidential_ground", "must cite its ground"),
        ({"outcome": "partial", "answer": "Versión pública"}, "confidential_ground", "must cite"),
        ({"outcome": "not_competent"}, "referral", "which institution holds"),
        ({"outcome": "delivered"}, "answer", "Write what is delivered"),
        ({"outcome": ""}, "outcome", "This field is required"),
    ],
)
def test_an_outcome_without_its_legal_ground_is_refused(
    register, oir, client_for, data, field, message
):
    request = register()
    item = request.items.get()
    events = RequestEvent.objects.count()
    response = client_for(oir).post(
        reverse("oir:action", args=[request.pk, "decidir"]), {"item": item.pk, **data}, **EN
    )
    assert response.status_code == 400
    form = response.context["items"][0]["decide"]
    assert message in " ".join(form.errors.get(field, [])), form.errors
    item.refresh_from_db()
    assert (item.outcome, item.status) == ("", "pending")
    assert RequestEvent.objects.count() == events


def test_an_extension_without_a_reason_is_refused(register, oir, client_for):
    request = register()
    response = client_for(oir).post(
        reverse("oir:action", args=[request.pk, "prorroga"]), {"reason": " "}, **EN
    )
    assert response.status_code == 400
    request.refresh_from_db()
    assert (request.extended, request.status) == (False, "received")
    with pytest.raises(BusinessError, match="reason"):
        actions.do_extend_request(request, "", acting_user=oir)


def test_an_extension_is_given_once(register, oir):
    request = register()
    actions.do_extend_request(request, "Volumen de documentos", acting_user=oir)
    with pytest.raises(BusinessError, match="already been extended"):
        actions.do_extend_request(request, "Otra vez", acting_user=oir)


def test_resolving_needs_every_item_decided(register, oir, client_for):
    request = register()
    actions.do_add_item(request, "Segundo requerimiento", acting_user=oir)
    actions.do_decide_item(
        request.items.get(position=1),
        actions.Decision(outcome="withdrawn"),
        acting_user=oir,
    )
    response = client_for(oir).post(reverse("oir:action", args=[request.pk, "resolver"]), {}, **EN)
    assert response.status_code == 400
    assert "Decide every item first (pending: 2)" in response.content.decode()
    request.refresh_from_db()
    assert request.status == "received"
    assert not hasattr(request, "document")


def test_a_notification_before_the_resolution_is_refused(register, oir):
    request = register()
    actions.do_decide_item(
        request.items.get(), actions.Decision(outcome="withdrawn"), acting_user=oir
    )
    request = actions.do_resolve_request(request, acting_user=oir)
    with pytest.raises(BusinessError, match="before the resolution"):
        actions.do_record_notification(
            request, "in_person", request.resolved_on - timedelta(days=1), acting_user=oir
        )
    with pytest.raises(BusinessError, match="in the future"):
        actions.do_record_notification(
            request, "in_person", timezone.localdate() + timedelta(days=1), acting_user=oir
        )
    request.refresh_from_db()
    assert request.notified_on is None


def test_the_database_refuses_what_the_actions_refuse(register):
    request = register()
    item = request.items.get()
    for changes in (
        {"outcome": "reserved"},
        {"outcome": "confidential"},
        {"outcome": "not_competent"},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            RequestItem.objects.filter(pk=item.pk).update(**changes)
    for changes in (
        {"description": ""},
        {"notify_by": "email", "email": ""},
        {"extended": True, "extension_reason": ""},
        {"notified_on": timezone.localdate()},  # not resolved
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            InformationRequest.objects.filter(pk=request.pk).update(**changes)
