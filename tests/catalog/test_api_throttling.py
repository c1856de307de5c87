"""POST rate limits of /api/v1/catalog/: one client is one address, whatever X-Forwarded-For it sends."""


import pytest
from django.test import RequestFactory

from zhunru.api import ClientRateThrottle
from zhunru.audit.recording import client_ip


def rate(client, service, **extra):
    return client.post(
        f"/api/v1/catalog/services/{service.pk}/ratings/", {"level": 4}, content_type="application/json", **extra
    )


def screen(client, **extra):
    return client.post("/api/v1/catalog/screen/", {"text": "限本地企业参与"}, content_type="application/json", **extra)


def test_varying_x_forwarded_for_does_not_escape_the_rating_limit(client, service, settings):
    settings.ZHUNRU_API_POST_RATES = {"rating": "3/m"}
    statuses = [rate(client, service, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code for n in range(6)]
    assert statuses == [201, 201, 201, 429, 429, 429]
    assert service.ratings.count() == 3
    # Another address (REMOTE_ADDR, what the socket saw) has its own allowance.
    assert rate(client, service, REMOTE_ADDR="10.9.8.7").status_code == 201


def test_screening_is_rate_limited_per_address(client, service, settings):
    settings.ZHUNRU_API_POST_RATES = {"screen": "2/m"}
    statuses = [screen(client, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code for n in range(4)]
    assert statuses == [200, 200, 429, 429]
    limited = screen(client).json()
    assert limited["code"] == "throttled" and "请求过于频繁" in limited["message"] and limited["retry_after"] > 0
    assert screen(client, REMOTE_ADDR="10.9.8.7").status_code == 200
    # Scopes count apart: the screening limit leaves ratings alone.
    assert rate(client, service).status_code == 201


def test_behind_a_trusted_proxy_the_address_it_appended_counts(client, service, settings):
    """With one proxy, the rightmost X-Forwarded-For entry is the client; what the client put left of it is not."""
    settings.ZHUNRU_PROXY_COUNT = 1
    settings.ZHUNRU_API_POST_RATES = {"rating": "2/m"}
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    statuses = [
        rate(client, service, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.7", **proxy).status_code for n in range(4)
    ]
    assert statuses == [201, 201, 429, 429]
    assert rate(client, service, HTTP_X_FORWARDED_FOR="203.0.113.8", **proxy).status_code == 201


@pytest.mark.parametrize("proxies", [0, 1, 2])
def test_same_client_address_as_the_portal_and_audit_trail(settings, proxies):
    settings.ZHUNRU_PROXY_COUNT = proxies
    request = RequestFactory().post("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.7")
    assert ClientRateThrottle("rating").get_ident(request) == client_ip(request)


def test_ninja_own_throttles_use_the_same_proxy_count(settings):
    from ninja.conf import settings as ninja_settings

    assert ninja_settings.NUM_PROXIES == settings.ZHUNRU_PROXY_COUNT
