"""Login throttling (django-axes): failures per username and address lock the pair out."""

import pytest
from django.http import HttpRequest

from zhunru import roles
from zhunru.audit.models import AuditEvent
from zhunru.audit.recording import client_ip

PASSWORD = "pw-123456!"


def _attempt(client, username, password, ip="203.0.113.7"):
    return client.post(
        "/admin/login/", {"username": username, "password": password, "next": "/admin/"}, REMOTE_ADDR=ip
    )


@pytest.mark.django_db
def test_repeated_failures_lock_the_pair_out_even_for_the_right_password(client, make_user):
    make_user("officer", groups=[roles.DEPARTMENT_OFFICER])
    for _ in range(4):
        response = _attempt(client, "officer", "wrong-password")
        assert response.status_code == 200  # the login form again, with its error
    locked = _attempt(client, "officer", "wrong-password")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "登录已被临时锁定" in page and "15 分钟" in page

    refused = _attempt(client, "officer", PASSWORD)
    assert refused.status_code == 429
    assert "登录已被临时锁定" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302  # still not signed in

    # The lock is per username and address: the officer can still sign in from another address.
    elsewhere = _attempt(client, "officer", PASSWORD, ip="198.51.100.9")
    assert elsewhere.status_code == 302 and client.get("/admin/").status_code == 200

    lockouts = AuditEvent.objects.filter(action="auth.locked_out", object_repr="officer")
    assert lockouts.count() == 1 and lockouts.get().ip == "203.0.113.7"
    failed = AuditEvent.objects.filter(action="auth.login_failed", object_repr="officer")
    assert failed.count() == 6
    assert "已被临时锁定" in failed.last().note


@pytest.mark.django_db
def test_a_success_before_the_limit_resets_the_count(client, make_user):
    make_user("officer")
    for _ in range(4):
        _attempt(client, "officer", "wrong-password")
    assert _attempt(client, "officer", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert _attempt(client, "officer", "wrong-password").status_code == 200
    assert _attempt(client, "officer", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_authenticate_without_a_request_is_refused(make_user):
    """Axes needs the request: code that signs users in must pass it (the test client's login() does not)."""
    from axes.exceptions import AxesBackendRequestParameterRequired
    from django.contrib.auth import authenticate

    make_user("officer")
    with pytest.raises(AxesBackendRequestParameterRequired):
        authenticate(username="officer", password=PASSWORD)
    assert authenticate(HttpRequest(), username="officer", password=PASSWORD) is not None


def test_client_address_ignores_forwarded_for_without_a_trusted_proxy(settings):
    request = HttpRequest()
    request.META = {"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 198.51.100.20"}
    settings.ZHUNRU_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.5"
    settings.ZHUNRU_PROXY_COUNT = 1
    assert client_ip(request) == "198.51.100.20"  # the entry our proxy added, not the forgeable first one
    settings.ZHUNRU_PROXY_COUNT = 2
    assert client_ip(request) == "1.2.3.4"
    request.META["HTTP_X_FORWARDED_FOR"] = "not-an-address"
    assert client_ip(request) == "10.0.0.5"
    request.META["HTTP_X_FORWARDED_FOR"] = "[2001:db8::1]:443"
    assert client_ip(request) == "2001:db8::1"
