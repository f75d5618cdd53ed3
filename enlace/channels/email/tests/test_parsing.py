"""Reading mail as it comes: pure functions, no database, no server."""

import pytest

from enlace.channels.email import parsing


def test_declared_charsets_are_read_and_latin1_text_mislabelled_as_utf8_too():
    assert parsing.decode_bytes("atención".encode("iso-8859-1"), "iso-8859-1") == "atención"
    assert parsing.decode_bytes("atención".encode("iso-8859-1"), "utf-8") == "atención"
    assert parsing.decode_bytes("atención".encode(), "iso-8859-1") == "atención"
    assert parsing.decode_bytes("“comillas”".encode("cp1252"), "iso-8859-1") == "“comillas”"
    assert parsing.decode_bytes("señor".encode(), "x-unknown-charset") == "señor"
    assert parsing.decode_bytes("señor".encode("cp1252"), None) == "señor"
    assert parsing.decode_bytes("日本".encode("shift_jis"), "shift_jis") == "日本"
    assert "\x00" not in parsing.clean("a\x00b\r\nc")
    assert parsing.clean("a\x00b\r\nc") == "ab\nc"
    assert parsing.clean("se\udcf1or") == "señor"  # a raw Latin-1 byte in a header


def test_html_becomes_the_visible_text_without_scripts_or_styles():
    html = (
        "<html><head><title>t</title><style>p {color: red}</style></head><body>"
        "<p>Buenos d&iacute;as,</p><script>alert('x')</script>"
        "<div>No hay <b>medicamento</b>&nbsp;en farmacia.</div><ul><li>uno</li></ul>"
        "<img src=x onerror=alert(1)></body></html>"
    )
    text = parsing.html_to_text(html)
    assert text == "Buenos días,\n\nNo hay medicamento en farmacia.\n\n- uno"
    assert "<" not in text
    assert "alert" not in text
    assert "color" not in text
    # An unclosed <head> does not hide the body.
    assert parsing.html_to_text("<head><title>x</title><body>Hola") == "Hola"


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ("Auto-Submitted: auto-replied", "Auto-Submitted"),
        ("X-Autoreply: yes", "x-autoreply"),
        ("X-Autorespond: Fuera de la oficina", "x-autorespond"),
        ("Precedence: bulk", "Precedence"),
        ("Precedence: auto_reply", "Precedence"),
        ("Return-Path: <>", "Return-Path"),
        ("Content-Type: multipart/report; report-type=delivery-status", "multipart/report"),
    ],
)
def test_machine_written_mail_is_told_apart(headers, reason):
    raw = f"From: a@example.com\r\n{headers}\r\nSubject: x\r\n\r\nbody\r\n".encode()
    assert reason in (parsing.automatic(parsing.parse(raw)) or "")


@pytest.mark.parametrize("sender", ["MAILER-DAEMON@mx.example.com", "postmaster@example.com"])
def test_mail_from_a_mail_daemon_is_a_bounce(sender):
    raw = f"From: {sender}\r\nSubject: Undelivered\r\n\r\nbody\r\n".encode()
    assert parsing.automatic(parsing.parse(raw))


def test_mail_a_person_wrote_is_not_automatic():
    raw = b"From: Ana <ana@example.com>\r\nAuto-Submitted: no\r\nReturn-Path: <ana@example.com>\r\n"
    assert parsing.automatic(parsing.parse(raw + b"Subject: x\r\n\r\nhola\r\n")) is None


def test_the_envelope_uses_the_message_id_or_a_hash_of_the_bytes():
    found = parsing.envelope(
        b"From: Ana <Ana@Example.com>\r\nMessage-ID:  <abc@example.com> \r\nSubject: Hola\r\n\r\nx"
    )
    assert (found.external_id, found.sender) == ("<abc@example.com>", "ana@example.com")
    assert found.headers["subject"] == "Hola"
    missing = parsing.envelope(b"From: ana@example.com\r\n\r\nx")
    assert missing.external_id.startswith("sha256:")
    assert parsing.envelope(b"From: ana@example.com\r\n\r\nx") == missing  # the same bytes
    too_long = parsing.envelope(b"Message-ID: <" + b"a" * 300 + b"@x>\r\n\r\nx")
    assert too_long.external_id.startswith("sha256:")
    assert parsing.envelope(b"\xff\xfe\x00garbage").external_id.startswith("sha256:")


def test_tracking_codes_and_thread_ids_are_found():
    assert parsing.tracking_codes("Re: Respuesta a su caso acdef-23456") == ["ACDEF23456"]
    assert parsing.tracking_codes("Pedido ABCDEFGHIJK-2") == []
    raw = b"In-Reply-To: <c@x>\r\nReferences: <a@x> <b@x>\r\n <c@x>\r\nSubject: Re: x\r\n\r\nhola"
    assert parsing.thread_ids(parsing.parse(raw)) == ["<c@x>", "<b@x>", "<a@x>"]
