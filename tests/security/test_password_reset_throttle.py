"""Wagtail admin's password reset is throttled per client address, per e-mail address and per account."""

import uuid

import pytest
from django.core import mail
from django.urls import reverse

from zhunru.security import checks

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_counts(settings):
    settings.ZHUNRU_PASSWORD_RESET_THROTTLE_NAMESPACE = uuid.uuid4().hex


def reset(client, email: str, address: str = "192.0.2.10"):
    return client.post(reverse("wagtailadmin_password_reset"), {"email": email}, REMOTE_ADDR=address)


def test_one_client_asking_for_many_addresses_is_refused_with_retry_after(client, settings):
    settings.ZHUNRU_PASSWORD_RESET_RATES = {"client": "2/h"}
    answers = [reset(client, f"nobody{n}@example.invalid") for n in range(3)]
    assert [a.status_code for a in answers] == [302, 302, 429]
    refused = answers[-1]
    assert 0 < int(refused["Retry-After"]) <= 2 * 3600
    assert "重置密码的请求过于频繁" in refused.content.decode()
    # Another client is not held up by this one.
    assert reset(client, "nobody9@example.invalid", address="198.51.100.7").status_code == 302


def test_one_address_from_many_clients_is_refused_whether_or_not_it_has_an_account(client, make_user, settings):
    settings.ZHUNRU_PASSWORD_RESET_RATES = {"address": "2/h"}
    make_user("reset-owner")
    for email in ("reset-owner@example.invalid", "no-account@example.invalid"):
        statuses = [reset(client, email.upper() if n else email, address=f"203.0.113.{n}").status_code
                    for n in range(3)]
        assert statuses == [302, 302, 429], email  # the same answers: nothing tells which address has an account
    assert len(mail.outbox) == 2


def test_an_account_gets_its_allowance_of_emails_and_then_the_same_page_without_one(client, make_user, settings):
    settings.ZHUNRU_PASSWORD_RESET_RATES = {"address": "10/h", "account": "2/h"}
    make_user("reset-officer")
    answers = [reset(client, "reset-officer@example.invalid", address=f"203.0.113.{n}") for n in range(4)]
    done = reverse("wagtailadmin_password_reset_done")
    assert [(a.status_code, a["Location"]) for a in answers] == [(302, done)] * 4
    assert [m.to for m in mail.outbox] == [["reset-officer@example.invalid"]] * 2


def test_a_site_without_the_middleware_is_warned(settings):
    assert checks.password_reset_throttle_middleware(None) == []
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != checks.PASSWORD_RESET_THROTTLE]
    [warning] = checks.password_reset_throttle_middleware(None)
    assert warning.id == "zhunru_security.W002"
    settings.WAGTAIL_PASSWORD_RESET_ENABLED = False
    assert checks.password_reset_throttle_middleware(None) == []


def test_sessions_kept_only_in_the_cache_are_warned(settings):
    assert checks.sessions_without_the_cache(None) == []  # the project's: in the database
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    [warning] = checks.sessions_without_the_cache(None)
    assert warning.id == "zhunru_security.W003"
