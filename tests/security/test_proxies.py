"""Forwarded headers are believed only from configured proxies (issue 23 item 3, zhunru.proxies)."""

import pytest
from django.core import checks
from django.http import HttpResponse
from django.test import RequestFactory

from zhunru.proxies import ForwardedHeadersMiddleware, client_ip

PROXY = "172.28.0.10"


def request(remote: str, forwarded: str | None = None, **meta):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra, **meta)


@pytest.fixture
def behind_proxy(settings):
    settings.ZHUNRU_TRUSTED_PROXIES = [PROXY, "10.0.0.0/8"]
    settings.ZHUNRU_PROXY_COUNT = 0


def test_a_direct_client_is_its_own_address_whatever_it_forwards(behind_proxy):
    assert client_ip(request("203.0.113.9", "198.51.100.1")) == "203.0.113.9"
    assert client_ip(request("203.0.113.9")) == "203.0.113.9"


def test_from_the_proxy_the_rightmost_untrusted_entry_is_the_client(behind_proxy):
    # The client forged the first entry; our proxy appended the address it saw.
    assert client_ip(request(PROXY, "1.2.3.4, 198.51.100.20")) == "198.51.100.20"
    # A chain of trusted proxies (an internal load balancer in 10/8) is walked through.
    assert client_ip(request(PROXY, "1.2.3.4, 198.51.100.20, 10.1.2.3")) == "198.51.100.20"
    assert client_ip(request(PROXY, "[2001:db8::5]:4711")) == "2001:db8::5"


def test_from_the_proxy_without_or_with_garbage_forwarded_for(behind_proxy):
    assert client_ip(request(PROXY)) == PROXY
    assert client_ip(request(PROXY, "not-an-address")) == PROXY
    assert client_ip(request(PROXY, "not-an-address, 10.9.9.9")) == "10.9.9.9"


def test_without_trusted_proxies_the_older_proxy_count_applies_and_a_check_warns(settings):
    settings.ZHUNRU_TRUSTED_PROXIES = []
    settings.ZHUNRU_PROXY_COUNT = 0
    assert client_ip(request("10.0.0.5", "1.2.3.4")) == "10.0.0.5"
    assert "zhunru_cms.W003" not in [m.id for m in checks.run_checks(tags=["security"])]
    settings.ZHUNRU_PROXY_COUNT = 1
    assert client_ip(request("10.0.0.5", "1.2.3.4")) == "1.2.3.4"
    assert "zhunru_cms.W003" in [m.id for m in checks.run_checks(tags=["security"])]


def test_a_bad_trusted_proxy_entry_is_a_check_error_and_ignored(settings):
    settings.ZHUNRU_TRUSTED_PROXIES = "172.28.0.10, proxy.example"
    assert "zhunru_cms.E005" in [m.id for m in checks.run_checks(tags=["security"])]
    assert client_ip(request(PROXY, "198.51.100.7")) == "198.51.100.7"


def test_the_middleware_drops_forwarded_headers_a_direct_client_sent(behind_proxy):
    seen = {}

    def view(req):
        seen.update({k: v for k, v in req.META.items() if k.startswith("HTTP_X_FORWARDED")})
        return HttpResponse()

    middleware = ForwardedHeadersMiddleware(view)
    middleware(request("203.0.113.9", "1.2.3.4", HTTP_X_FORWARDED_PROTO="https"))
    assert seen == {}
    middleware(request(PROXY, "198.51.100.20", HTTP_X_FORWARDED_PROTO="https"))
    assert seen == {"HTTP_X_FORWARDED_FOR": "198.51.100.20", "HTTP_X_FORWARDED_PROTO": "https"}


def test_login_throttling_sees_the_direct_client_not_its_forged_forwarded_for(behind_proxy):
    """django-axes counts failures per (username, client address) with AXES_CLIENT_IP_CALLABLE."""
    from axes.helpers import get_client_ip_address

    forged = [request("203.0.113.9", f"198.51.100.{n}") for n in range(3)]
    assert {get_client_ip_address(r) for r in forged} == {"203.0.113.9"}
