"""The signature a receiver checks: HMAC-SHA256 with the endpoint's secret over
"<timestamp>.<body>", refused when the body was changed, the secret is another, or the
timestamp is too old (a replay) or too far ahead. Pure: no database."""

import time

import pytest

from enlace.webhooks.signing import new_secret, signature_header, verify_signature

SECRET = "whsec_prueba"
BODY = b'{"id":"1","type":"case.created"}'


def test_a_good_signature_is_valid():
    now = time.time()
    header = signature_header(SECRET, BODY, int(now))
    assert header.startswith(f"t={int(now)},v1=")
    assert verify_signature(SECRET, header, BODY, 300)
    assert verify_signature(SECRET, header, BODY, 300, now=now + 299)


def test_the_signature_is_the_documented_hmac():
    import hashlib
    import hmac

    expected = hmac.new(SECRET.encode(), b"1700000000." + BODY, hashlib.sha256).hexdigest()
    assert signature_header(SECRET, BODY, 1_700_000_000) == f"t=1700000000,v1={expected}"


def test_a_tampered_body_is_refused():
    header = signature_header(SECRET, BODY, int(time.time()))
    assert not verify_signature(SECRET, header, BODY.replace(b"created", b"closed"), 300)


def test_another_secret_is_refused():
    header = signature_header(SECRET, BODY, int(time.time()))
    assert not verify_signature("whsec_otro", header, BODY, 300)


def test_a_stale_timestamp_is_refused_even_with_a_good_hmac():
    then = 1_700_000_000
    header = signature_header(SECRET, BODY, then)
    assert verify_signature(SECRET, header, BODY, 300, now=then + 300)
    assert not verify_signature(SECRET, header, BODY, 300, now=then + 301)  # a replay
    assert not verify_signature(SECRET, header, BODY, 300, now=then - 301)  # from the future


def test_the_timestamp_is_signed_with_the_body():
    then = int(time.time())
    header = signature_header(SECRET, BODY, then - 3600)
    digest = header.split("v1=")[1]
    assert not verify_signature(SECRET, f"t={then},v1={digest}", BODY, 300)


@pytest.mark.parametrize(
    "header",
    [
        "",
        "garbage",
        "v1=abc",
        "t=1700000000",
        "t=abc,v1=abc",
        "t=²,v1=abc",
        "t=1,t=2,v1=abc",
        "t=1700000000;v1=abc",
    ],
)
def test_a_malformed_header_is_not_valid(header):
    assert not verify_signature(SECRET, header, BODY, 300, now=1_700_000_000)


def test_any_of_several_signatures_may_match():
    now = int(time.time())
    good = signature_header(SECRET, BODY, now).split("v1=")[1]
    assert verify_signature(SECRET, f"t={now},v1=deadbeef,v1={good}", BODY, 300)


def test_secrets_are_random_and_long():
    first, second = new_secret(), new_secret()
    assert first != second
    assert first.startswith("whsec_")
    assert len(first) > 40
