"""The two steps every channel shares: what arrives is stored first, then processed once.

A small plug-in defined here stands for a channel: it makes a case to classify from the
message's text, and fails on demand, so the tests can crash it between the two steps.
"""

import pytest
from django.core.management import call_command

from enlace.cases.actions import NewCase, do_classify_case, do_register_case
from enlace.cases.lifecycle import CaseKind
from enlace.cases.models import Case, CaseDeadline, EventKind
from enlace.catalogues.models import Channel, InquiryTopic, OpinionType
from enlace.channels import attachments
from enlace.channels.actions import do_process_message, do_receive_message, requeue_pending
from enlace.channels.models import InboundMessage, InboundOutcome, InboundStatus
from enlace.channels.plugins import PLUGINS, ChannelPlugin, Processed
from enlace.core.errors import BusinessError
from enlace.directory.models import Dependency

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


class Notebook(ChannelPlugin):
    code = "notebook"
    catalogue_channel = "sitio_web"
    failures = 0

    def process(self, message):
        if Notebook.failures:
            Notebook.failures -= 1
            raise RuntimeError("the channel's processing crashed")
        case, _created = do_register_case(
            NewCase(
                kind=CaseKind.OPINION,
                channel=Channel.objects.get(code=self.catalogue_channel),
                description=message.body,
                to_classify=True,
            ),
            acting_user=None,
        )
        return Processed(InboundOutcome.NEW_CASE, case.pk)


@pytest.fixture(autouse=True)
def notebook():
    PLUGINS[Notebook.code] = Notebook()
    Notebook.failures = 0
    yield
    del PLUGINS[Notebook.code]


def receive(external_id="m-1", body="Hay goteras en la sala de espera"):
    return do_receive_message("notebook", external_id, body=body, sender="+50371234567")


def test_a_message_is_stored_then_processed_into_a_case_to_classify(db):
    message, created = receive()
    assert created
    assert message.status == InboundStatus.PENDING
    assert do_process_message(message.pk) == InboundStatus.PROCESSED
    message.refresh_from_db()
    case = message.case
    assert message.outcome == InboundOutcome.NEW_CASE
    assert case.to_classify
    assert case.opinion_type is None
    assert case.description == "Hay goteras en la sala de espera"
    # Processing again does nothing: the message is no longer pending.
    assert do_process_message(message.pk) == "skipped"
    assert Case.objects.count() == 1


def test_the_same_message_delivered_twice_is_one_row_and_one_case(db):
    first, created = receive()
    second, created_again = receive()
    assert (created, created_again) == (True, False)
    assert first.pk == second.pk
    do_process_message(first.pk)
    do_process_message(second.pk)
    assert InboundMessage.objects.count() == 1
    assert Case.objects.count() == 1


def test_a_crash_while_processing_loses_nothing_and_is_retried(db):
    message, _ = receive()
    Notebook.failures = 1
    assert do_process_message(message.pk) == InboundStatus.PENDING
    message.refresh_from_db()
    assert message.body == "Hay goteras en la sala de espera"  # still there, untouched
    assert message.attempts == 1
    assert "crashed" in message.error
    assert not Case.objects.exists()  # the failed attempt wrote nothing
    assert message.next_attempt_at is not None
    assert do_process_message(message.pk, now=message.next_attempt_at) == InboundStatus.PROCESSED
    assert Case.objects.count() == 1


def test_after_repeated_failures_the_message_is_marked_failed_and_kept(db):
    message, _ = receive()
    Notebook.failures = 99
    for _attempt in range(6):
        status = do_process_message(message.pk)
    assert status == InboundStatus.FAILED
    message.refresh_from_db()
    assert message.status == InboundStatus.FAILED
    assert message.body


def test_the_sweeper_processes_what_a_lost_task_left_pending(
    db, django_capture_on_commit_callbacks
):
    message, _ = do_receive_message("notebook", "m-9", body="Texto", process=False)
    assert requeue_pending(now=message.received_at) == 0  # within its grace period
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert requeue_pending(now=message.next_attempt_at) == 1
    assert len(callbacks) == 1
    call_command("sweep", verbosity=0)  # the command runs it too, and says nothing when idle


def test_triage_makes_a_case_to_classify_an_opinion_or_an_inquiry(db, resolution):
    message, _ = receive()
    do_process_message(message.pk)
    case = InboundMessage.objects.get().case
    with pytest.raises(BusinessError, match="centro"):
        do_classify_case(
            case,
            kind=CaseKind.OPINION,
            opinion_type=OpinionType.objects.get(code="queja"),
            acting_user=resolution,
        )
    case = do_classify_case(
        case,
        kind=CaseKind.OPINION,
        opinion_type=OpinionType.objects.get(code="queja"),
        dependency=Dependency.objects.get(code="HG"),
        acting_user=resolution,
    )
    assert not case.to_classify
    assert case.level_of_care == "hospital"
    assert case.events.filter(kind=EventKind.RECLASSIFIED).exists()
    assert CaseDeadline.objects.filter(case=case).exists()
    with pytest.raises(BusinessError, match="ya está clasificado"):
        do_classify_case(
            case,
            kind=CaseKind.INQUIRY,
            topic=InquiryTopic.objects.get(code="citas"),
            acting_user=resolution,
        )


def test_a_message_can_turn_out_to_be_an_inquiry(db, resolution):
    message, _ = receive(body="¿A qué hora abren la farmacia?")
    do_process_message(message.pk)
    case = do_classify_case(
        InboundMessage.objects.get().case,
        kind=CaseKind.INQUIRY,
        topic=InquiryTopic.objects.get(code="horarios"),
        acting_user=resolution,
    )
    assert (case.kind, case.topic.code, case.opinion_type) == ("consulta", "horarios", None)


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [(JPEG, "foto.jpg", "image/jpeg"), (PDF, "referencia.pdf", "application/pdf")],
)
def test_attachments_are_what_their_content_is(content, name, expected):
    assert attachments.check(content, name) == expected


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"MZ\x90\x00\x03" + b"\x00" * 100, "foto.jpg", "no es una foto"),  # a Windows program
        (b"<html><script>alert(1)</script></html>", "receta.pdf", "no es una foto"),
        (b"", "vacio.png", "está vacío"),
    ],
)
def test_disguised_or_empty_attachments_are_refused(content, name, message):
    with pytest.raises(BusinessError, match=message):
        attachments.check(content, name)


def test_oversized_attachments_are_refused(settings):
    settings.ATTACHMENT_MAX_BYTES = 50
    with pytest.raises(BusinessError, match="pesa más de"):
        attachments.check(JPEG, "foto.jpg")


def test_an_attachment_is_stored_under_its_hash(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    message, _ = receive()
    stored = attachments.store(JPEG, "../../etc/foto.jpg", message=message)
    assert stored.content_type == "image/jpeg"
    assert stored.file.name == f"attachments/{stored.sha256[:2]}/{stored.sha256}.jpg"
    assert stored.name == "../../etc/foto.jpg"  # shown as text, never used as a path
