"""The e-mail channel end to end, against a real IMAP server (Dovecot) and a real SMTP server:
mail sent to the mailbox becomes a case, replies thread into it, machines are ignored, odd
encodings are read, attachments are checked, answers thread back, and a crash loses nothing."""

import base64
import logging
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from config.settings import _email_inboxes
from enlace.cases import actions
from enlace.cases.lifecycle import CaseStatus
from enlace.cases.models import Case, EventKind
from enlace.channels import replies
from enlace.channels.email.imap import KEYWORD, Poller, poll_mailboxes
from enlace.channels.email.tests.conftest import poll, process_pending
from enlace.channels.models import (
    Attachment,
    InboundMessage,
    InboundOutcome,
    InboundStatus,
    OutboundMessage,
)
from enlace.notifications.delivery import deliver
from enlace.notifications.models import Notification

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64
PROGRAM = b"MZ\x90\x00\x03" + b"\x00" * 100  # a Windows program


def mail(
    text="No hay medicamento para la presión en la farmacia del hospital.",
    *,
    subject="Falta de medicamento",
    sender="María López <maria@example.com>",
    message_id=None,
    headers=(),
    files=(),
):
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "atencion@isss.example"
    message["Subject"] = subject
    message["Message-ID"] = message_id or make_msgid(domain="example.com")
    for name, value in headers:
        message[name] = value
    message.set_content(text)
    for name, content, maintype, subtype in files:
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return message


def test_an_email_to_the_mailbox_becomes_a_case_to_classify(imap):
    sent = mail()
    imap.append(bytes(sent))
    assert poll(imap) == 1
    case = Case.objects.get()
    assert case.to_classify
    assert case.channel.code == "correo"
    assert (case.citizen_name, case.citizen_email) == ("María López", "maria@example.com")
    assert case.description.startswith("Falta de medicamento\n\nNo hay medicamento")
    message = InboundMessage.objects.get()
    assert message.external_id == sent["Message-ID"]
    assert (message.plugin, message.sender) == ("email", "maria@example.com")
    assert (message.status, message.outcome, message.case) == ("processed", "new_case", case)
    assert message.headers["channel"] == "correo"
    assert message.raw.read() == bytes(sent).replace(b"\n", b"\r\n")  # as the server keeps it
    # Marked on the server with Enlace's own keyword (and as read).
    [flags] = imap.flags()
    assert KEYWORD in flags
    assert "\\Seen" in flags
    assert poll(imap) == 0


def test_each_mailbox_counts_its_cases_under_its_channel(imap):
    imap.append(bytes(mail(subject="Solicitud de información")), folder="OIR")
    assert poll(imap, folder="OIR", channel="oir") == 1
    assert Case.objects.get().channel.code == "oir"


def test_a_reply_with_in_reply_to_threads_into_the_same_case(imap):
    first = mail()
    imap.append(bytes(first))
    poll(imap)
    reply = mail(
        "Olvidé decir que fue el lunes.",
        subject="Re: Falta de medicamento",
        headers=[("In-Reply-To", first["Message-ID"]), ("References", first["Message-ID"])],
    )
    imap.append(bytes(reply))
    assert poll(imap) == 1
    case = Case.objects.get()
    event = case.events.get(kind=EventKind.CITIZEN_MESSAGE)
    assert "Olvidé decir que fue el lunes." in event.note
    assert event.actor is None
    reply_message = InboundMessage.objects.get(external_id=reply["Message-ID"])
    assert (reply_message.outcome, reply_message.case) == (InboundOutcome.REPLY, case)


def test_a_reply_with_the_code_in_the_subject_threads_and_resumes_a_waiting_case(
    imap, make_case, resolution
):
    case = make_case(citizen={"name": "Ana", "email": "ana@example.com"})
    actions.do_wait_for_citizen(case, "Envíe su número de afiliación", acting_user=resolution)
    imap.append(
        bytes(
            mail(
                "Mi número de afiliación es 123456789.",
                subject=f"RE: Respuesta a su caso {case.display_code.lower()}",
                sender="Ana <ana@example.com>",
            )
        )
    )
    poll(imap)
    case.refresh_from_db()
    assert Case.objects.count() == 1
    assert case.status == CaseStatus.RECEIVED  # back where it was before waiting
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds[-2:] == [EventKind.CITIZEN_MESSAGE, EventKind.RESUMED]
    assert "123456789" in case.events.get(kind=EventKind.CITIZEN_MESSAGE).note


def test_the_same_mail_polled_twice_makes_one_case(imap):
    sent = bytes(mail())
    imap.append(sent)
    imap.append(sent)  # delivered twice (two copies in the mailbox, one Message-ID)
    assert poll(imap) == 1
    assert poll(imap) == 0
    assert InboundMessage.objects.count() == 1
    assert Case.objects.count() == 1
    assert all(KEYWORD in flags for flags in imap.flags())


@pytest.mark.parametrize(
    ("sender", "headers"),
    [
        ("maria@example.com", [("Auto-Submitted", "auto-replied")]),
        ("maria@example.com", [("X-Autoreply", "yes")]),
        ("maria@example.com", [("Precedence", "junk")]),
        ("MAILER-DAEMON@mx.example.com", [("Return-Path", "<>")]),
    ],
    ids=["auto-reply", "x-autoreply", "precedence", "bounce"],
)
def test_auto_replies_and_bounces_are_ignored(imap, caplog, sender, headers):
    imap.append(bytes(mail("Estoy fuera de la oficina.", sender=sender, headers=headers)))
    with caplog.at_level(logging.INFO, logger="enlace.channels.email.plugin"):
        assert poll(imap) == 1
    assert not Case.objects.exists()
    assert InboundMessage.objects.get().status == InboundStatus.IGNORED
    assert "ignored" in caplog.text


def test_a_delivery_status_report_is_ignored(imap):
    report = (
        b"From: Mail Delivery System <mailer-daemon@mx.example.com>\r\n"
        b"To: atencion@isss.example\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        b"Message-ID: <bounce-1@mx.example.com>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n"
        b"--b\r\nContent-Type: message/delivery-status\r\n\r\nStatus: 5.1.1\r\n--b--\r\n"
    )
    imap.append(report)
    poll(imap)
    assert not Case.objects.exists()
    assert InboundMessage.objects.get().status == InboundStatus.IGNORED


def test_a_mail_in_iso_8859_1_is_read(imap):
    raw = (
        b"From: =?iso-8859-1?q?Jos=E9_Pe=F1a?= <jose@example.com>\r\n"
        b"Subject: =?iso-8859-1?q?Atenci=F3n_en_emergencias?=\r\n"
        b"Message-ID: <latin1@example.com>\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=iso-8859-1\r\n"
        b"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        b"Esper=E9 cuatro horas en emergencias sin atenci=F3n, se=F1or.\r\n"
    )
    imap.append(raw)
    poll(imap)
    case = Case.objects.get()
    assert case.citizen_name == "José Peña"
    assert case.description == (
        "Atención en emergencias\n\nEsperé cuatro horas en emergencias sin atención, señor."
    )


def test_a_mail_with_a_broken_charset_is_read(imap):
    body = base64.b64encode("Me cobraron la consulta: “no es justo”, señora.".encode("cp1252"))
    raw = (
        b"From: pedro@example.com\r\nSubject: Cobro ind\xe9bido\r\n"  # raw 8-bit in a header
        b"Message-ID: <broken@example.com>\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=x-no-such-charset\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n" + body + b"\r\n"
    )
    imap.append(raw)
    poll(imap)
    case = Case.objects.get()
    assert case.description == "Cobro indébido\n\nMe cobraron la consulta: “no es justo”, señora."
    assert case.citizen_email == "pedro@example.com"


def test_utf8_text_declared_as_latin1_and_no_charset_at_all_are_read(imap):
    imap.append(
        b"From: a@example.com\r\nSubject: uno\r\nMessage-ID: <u1@example.com>\r\n"
        b"Content-Type: text/plain; charset=iso-8859-1\r\n\r\n"
        + "Atención y señal".encode()
        + b"\r\n"
    )
    imap.append(
        b"From: b@example.com\r\nSubject: dos\r\nMessage-ID: <u2@example.com>\r\n\r\n"
        + "Atención".encode("cp1252")
        + b"\r\n"
    )
    poll(imap)
    descriptions = sorted(Case.objects.values_list("description", flat=True))
    assert descriptions == ["dos\n\nAtención", "uno\n\nAtención y señal"]


def test_an_html_only_mail_is_stored_as_plain_text(imap):
    message = mail(subject="Queja")
    message.set_content(
        "<html><head><style>body{color:red}</style><script>alert('x')</script></head>"
        "<body><p>El <b>médico</b> no llegó.</p><script>document.cookie</script>"
        '<a href="javascript:alert(1)">ver</a></body></html>',
        subtype="html",
    )
    imap.append(bytes(message))
    poll(imap)
    description = Case.objects.get().description
    assert description == "Queja\n\nEl médico no llegó.\nver"
    for markup in ("<", "script", "alert", "cookie", "color"):
        assert markup not in description


def test_an_attachment_is_kept_and_a_disguised_one_refused_with_a_note(imap):
    imap.append(
        bytes(
            mail(
                "Adjunto la receta.",
                files=[
                    ("receta.jpg", JPEG, "image", "jpeg"),
                    ("foto.jpg", PROGRAM, "image", "jpeg"),
                ],
            )
        )
    )
    poll(imap)
    case = Case.objects.get()
    [kept] = Attachment.objects.all()
    assert (kept.case, kept.name, kept.content_type) == (case, "receta.jpg", "image/jpeg")
    assert kept.message == InboundMessage.objects.get()
    assert kept.file.read() == JPEG
    note = case.events.get(kind=EventKind.COMMENTED).note
    assert "foto.jpg" in note
    assert "receta.jpg" not in note
    assert "Adjunto la receta." in case.description  # the text was never blocked


def test_an_attachment_on_a_reply_goes_to_the_case(imap):
    first = mail()
    imap.append(bytes(first))
    poll(imap)
    reply = mail(
        "",
        subject="Re: Falta de medicamento",
        headers=[("In-Reply-To", first["Message-ID"])],
        files=[("receta.jpg", JPEG, "image", "jpeg"), ("virus.pdf", PROGRAM, "application", "pdf")],
    )
    imap.append(bytes(reply))
    poll(imap)
    case = Case.objects.get()
    assert list(case.attachments.values_list("name", flat=True)) == ["receta.jpg"]
    assert "virus.pdf" in case.events.get(kind=EventKind.CITIZEN_MESSAGE).note


def test_a_mail_with_no_text_still_makes_a_case(imap):
    imap.append(bytes(mail("", subject="", files=[("foto.jpg", JPEG, "image", "jpeg")])))
    imap.append(b"From: nadie@example.com\r\nMessage-ID: <empty@example.com>\r\n\r\n")
    poll(imap)
    cases = Case.objects.order_by("id")
    assert len(cases) == 2
    assert all(case.description.strip() for case in cases)
    assert cases[0].attachments.count() == 1


def test_the_answer_mail_replies_to_the_citizens_mail_and_its_reply_threads_back(
    imap, smtp_server, resolution
):
    first = mail()
    imap.append(bytes(first))
    poll(imap)
    case = Case.objects.get()
    actions.do_acknowledge_case(case, acting_user=resolution)
    actions.do_answer_case(case, "Ya hay medicamento en farmacia.", acting_user=resolution)
    for notification in Notification.objects.order_by("id"):
        assert deliver(notification.pk) == "sent"
    assert len(smtp_server.messages) == 2
    for sent in smtp_server.messages:
        assert sent["To"] == "maria@example.com"
        assert sent["In-Reply-To"] == first["Message-ID"]
        assert sent["References"] == first["Message-ID"]
        assert case.display_code in sent["Subject"]
    answer = Notification.objects.get(kind="answer")
    # The citizen answers the answer: it threads by the notification's Message-ID.
    imap.append(
        bytes(
            mail(
                "Gracias, ya lo recogí.",
                subject=f"Re: {smtp_server.messages[1]['Subject']}",
                headers=[("In-Reply-To", answer.message_id)],
            )
        )
    )
    poll(imap)
    assert Case.objects.count() == 1
    assert case.events.filter(kind=EventKind.CITIZEN_MESSAGE).count() == 1


def test_a_message_from_the_case_page_replies_by_email_in_the_thread(
    imap, smtp_server, resolution, client_for, django_capture_on_commit_callbacks
):
    """E-mail answers like every channel that can: the case page's "mensaje" goes by SMTP to
    the address that wrote, in its thread, and the citizen's answer to it threads back."""
    first = mail()
    imap.append(bytes(first))
    poll(imap)
    case = Case.objects.get()
    staff = client_for(resolution)
    with django_capture_on_commit_callbacks(execute=False):
        response = staff.post(
            f"/casos/{case.pk}/mensaje/", {"text": "¿En qué farmacia le negaron el medicamento?"}
        )
    assert response.status_code == 302
    outbound = OutboundMessage.objects.get(case=case)
    assert (outbound.plugin, outbound.recipient) == ("email", "maria@example.com")
    assert replies.deliver(outbound.pk) == "sent"
    [sent] = smtp_server.messages
    assert sent["To"] == "maria@example.com"
    assert sent["In-Reply-To"] == first["Message-ID"]
    assert case.display_code in sent["Subject"]
    assert "¿En qué farmacia" in sent.get_payload(decode=True).decode()
    outbound.refresh_from_db()
    assert outbound.platform_id == sent["Message-ID"]
    assert case.events.filter(kind=EventKind.MESSAGE_SENT).count() == 1
    # Her answer to it threads back by its Message-ID.
    imap.append(
        bytes(
            mail(
                "En la del hospital, ayer.",
                subject=f"Re: {sent['Subject']}",
                headers=[("In-Reply-To", sent["Message-ID"])],
            )
        )
    )
    poll(imap)
    assert Case.objects.count() == 1
    assert case.events.filter(kind=EventKind.CITIZEN_MESSAGE).count() == 1


def test_a_mail_to_staff_is_not_threaded(make_case, resolution, smtp_server):
    case = make_case(citizen={"name": "Ana", "email": "ana@example.com"})
    actions.do_assign_case(case, case.dependency, acting_user=resolution)
    for notification in Notification.objects.all():
        deliver(notification.pk)
    assert all(message["In-Reply-To"] is None for message in smtp_server.messages)


class CrashingPoller(Poller):
    """Dies after the message is stored and before it is marked on the server."""

    def flag(self, imap, uid, *, keywords):
        raise RuntimeError("the poller died before marking the message")


def test_a_crash_between_storing_and_flagging_loses_nothing_and_doubles_nothing(imap):
    imap.append(bytes(mail()))
    with pytest.raises(RuntimeError, match="died"):
        poll(imap, poller=CrashingPoller)
    stored = InboundMessage.objects.get()
    assert stored.raw.read()  # the source is kept
    [flags] = imap.flags()
    assert KEYWORD not in flags  # so the server still offers it
    assert poll(imap) == 0  # offered again: found, not stored again
    [flags] = imap.flags()
    assert KEYWORD in flags
    process_pending()
    assert InboundMessage.objects.count() == 1
    assert Case.objects.count() == 1


def test_an_unreachable_mailbox_is_logged_and_the_others_still_polled(imap, caplog):
    imap.append(bytes(mail()))
    unreachable = {**imap.setting(), "port": 1, "host": "127.0.0.1"}
    with caplog.at_level(logging.WARNING):
        assert poll_mailboxes([unreachable, imap.setting()]) == 1
    assert "could not be polled" in caplog.text
    wrong_password = {**imap.setting(), "password": "otra"}
    assert poll_mailboxes([wrong_password]) == 0


def test_the_command_and_the_sweeper_poll_the_configured_mailboxes(imap, capsys):
    imap.append(bytes(mail()))
    call_command("poll_mailboxes", "--once")
    assert "mails stored=1" in capsys.readouterr().out
    imap.append(bytes(mail(subject="Otra")))
    call_command("sweep")
    assert "mails stored=1" in capsys.readouterr().out
    assert InboundMessage.objects.count() == 2


def test_the_mailboxes_setting_is_read_and_checked(monkeypatch):
    assert _email_inboxes("") == []
    monkeypatch.setenv("IMAP_OIR_PASSWORD", "s3creto")
    [inbox] = _email_inboxes(
        '[{"host": "imap.example.org", "user": "oir", "password_env": "IMAP_OIR_PASSWORD",'
        ' "channel": "oir"}]'
    )
    assert inbox == {
        "host": "imap.example.org",
        "port": 993,
        "security": "tls",
        "user": "oir",
        "password": "s3creto",
        "folder": "INBOX",
        "channel": "oir",
    }
    for bad in (
        "{",
        '{"host": "x"}',
        '[{"host": "x", "user": "u", "channel": "oir"}]',
        '[{"host": "x", "user": "u", "channel": "oir", "password_env": "UNSET_VARIABLE_X"}]',
        '[{"host": "x", "user": "u", "channel": "oir", "password_env": "IMAP_OIR_PASSWORD",'
        ' "security": "ssl"}]',
    ):
        with pytest.raises(ImproperlyConfigured):
            _email_inboxes(bad)
