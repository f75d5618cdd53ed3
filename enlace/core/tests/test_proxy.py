"""The client's address behind nginx: believed from TRUSTED_PROXIES only (enlace/core/proxy.py),
and the rate limits' exemption for a test stack's load generator (RATE_LIMIT_EXEMPT)."""

from django.test import RequestFactory, override_settings

from enlace.core import ratelimit
from enlace.core.proxy import TrustedProxyMiddleware


def seen(**meta):
    request = RequestFactory().get("/", **meta)
    TrustedProxyMiddleware(lambda r: r)(request)
    return request.META["REMOTE_ADDR"]


@override_settings(TRUSTED_PROXIES=[])
def test_it_believes_no_header_without_trusted_proxies():
    assert seen(REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="203.0.113.9") == "127.0.0.1"


@override_settings(TRUSTED_PROXIES=["127.0.0.1", "10.0.0.0/8"])
def test_it_takes_the_address_a_trusted_proxy_saw():
    assert seen(REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="203.0.113.9") == "203.0.113.9"
    assert seen(REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="1.1.1.1, 198.51.100.4") == (
        "198.51.100.4"
    )


@override_settings(TRUSTED_PROXIES=["127.0.0.1"])
def test_it_ignores_the_headers_of_a_stranger():
    assert seen(REMOTE_ADDR="198.51.100.7", HTTP_X_REAL_IP="127.0.0.5") == "198.51.100.7"
    assert seen(REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="10.0.0.1") == "198.51.100.7"


@override_settings(TRUSTED_PROXIES=["127.0.0.1"])
def test_it_keeps_the_proxy_address_when_the_header_is_not_an_address():
    assert seen(REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="evil") == "127.0.0.1"
    assert seen(REMOTE_ADDR="127.0.0.1") == "127.0.0.1"


@override_settings(RATE_LIMIT_EXEMPT=["192.0.2.0/24"], PORTAL_RATE_LIMITS={"submit": (1, 60)})
def test_only_the_exempt_addresses_escape_the_limit(db):
    factory = RequestFactory()
    exempt = factory.post("/", REMOTE_ADDR="192.0.2.10")
    other = factory.post("/", REMOTE_ADDR="198.51.100.10")
    assert all(ratelimit.hit(exempt, "submit", now=1000.0)[0] for _ in range(5))
    assert ratelimit.hit(other, "submit", now=1000.0)[0]
    assert not ratelimit.hit(other, "submit", now=1000.0)[0]
