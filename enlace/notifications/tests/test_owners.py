"""A notification belongs to exactly one case or one public-information request."""

import pytest
from django.db import IntegrityError, transaction

from enlace.cases import actions
from enlace.notifications import notify
from enlace.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_a_notification_has_exactly_one_owner(make_case):
    case = make_case()
    base = {"kind": "answer", "recipient": "a@example.com", "subject": "s", "body": "b"}
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(message_id="<1@x>", **base)
    from enlace.oir.actions import NewRequest, do_register_request

    request, _created = do_register_request(
        NewRequest(
            channel="in_person",
            requester_name="Ana",
            document_type="passport",
            document_number="A123",
            notify_by="office",
            description="Actas 2025",
        ),
        acting_user=None,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(
            message_id="<2@x>", case=case, information_request=request, **base
        )
    Notification.objects.create(message_id="<3@x>", case=case, **base)
    Notification.objects.create(message_id="<4@x>", information_request=request, **base)


@pytest.mark.django_db
def test_a_case_acknowledged_at_registration_is_not_acknowledged_twice(make_case, resolution):
    case = make_case(citizen={"name": "Ana", "email": "ana@example.com"})
    assert notify.acknowledgement(case) == 1  # as the portal does when it registers the case
    actions.do_acknowledge_case(case, acting_user=resolution)  # "Acusar recibo" on the page
    assert Notification.objects.filter(case=case, kind="acknowledgement").count() == 1
