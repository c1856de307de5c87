"""Demo logins: every role of both seed jurisdictions signs in with the documented password and opens its
main admin page; the accounts load idempotently; a server with DEBUG off refuses the public password."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from zhunru import demo, demo_accounts, roles
from zhunru.demo_accounts import ACCOUNTS, DEMO_PASSWORD, JURISDICTIONS, demo_usernames
from zhunru.security.checks import demo_password_in_production

pytestmark = pytest.mark.django_db


def main_page(suffix: str, jurisdiction) -> tuple[str, str]:
    """(URL, a text the page shows) of the page each role starts from."""
    leads = reverse("wagtailsnippets_zhunru_leads_lead:list")
    return {
        "editor": (reverse("wagtailadmin_explore", args=[jurisdiction.home_page.pk]), jurisdiction.home_page.title),
        "legal": (reverse("wagtailadmin_home"), ""),
        "coordinator": (reverse("wagtailsnippets_zhunru_portal_complaint:list"), ""),
        "market": (leads, "道路运输经营许可要求本地车辆比例"),
        "responsible": (leads, "道路运输经营许可要求本地车辆比例"),
        "approver": (reverse("wagtailsnippets_zhunru_leads_extension:list"), ""),
        "auditor": (reverse("audit_events:index"), ""),
    }[suffix]


def test_every_demo_login_opens_its_main_page(settings, full_demo):
    """`make run`: load_demo prints the password, and each of the 14 accounts works with it."""
    from zhunru.models import Jurisdiction

    settings.DEBUG = True
    assert DEMO_PASSWORD in full_demo["output"]
    users = get_user_model().objects.filter(username__in=demo_usernames())
    assert users.count() == len(JURISDICTIONS) * len(ACCOUNTS) == 14
    failures = []
    for code, (slug, _) in JURISDICTIONS.items():
        held = set(Group.objects.filter(user__username__startswith=f"{slug}-").values_list("name", flat=True))
        jurisdiction = Jurisdiction.objects.get(division_code=code)
        # The global role groups (model permissions) and the same roles' groups of the account's jurisdiction;
        # the approver's of the higher-level jurisdiction, where the approver works.
        assert held == set(roles.ROLES) | {roles.jurisdiction_group_name(jurisdiction, role) for role in roles.ROLES
                                           if role != roles.EXTENSION_APPROVER} | {
            roles.jurisdiction_group_name(jurisdiction.parent, roles.EXTENSION_APPROVER)}
        jurisdiction = Jurisdiction.objects.get(division_code=code)
        for account in ACCOUNTS:
            client = Client()
            name = f"{slug}-{account.suffix}"
            response = client.post(reverse("wagtailadmin_login"), {"username": name, "password": DEMO_PASSWORD})
            if response.status_code != 302:
                failures.append(f"{name}: login {response.status_code}")
                continue
            url, text = main_page(account.suffix, jurisdiction)
            page = client.get(url)
            if page.status_code != 200 or text not in page.content.decode():
                failures.append(f"{name}: {url} {page.status_code}")
    assert failures == []


def _load(settings, debug: bool) -> str:
    from zhunru.leads import demo as leads_demo

    settings.DEBUG = debug
    demo.load()
    leads_demo.load()  # creates four of the accounts first, with no password
    out = io.StringIO()
    demo_accounts.load(out)
    return out.getvalue()


def test_loading_twice_adds_nothing_and_keeps_a_changed_password(settings):
    _load(settings, debug=True)
    user = get_user_model().objects.get(username="houma-coordinator")
    assert user.check_password(DEMO_PASSWORD)
    user.set_password("a-password-of-her-own-2026")
    user.save()
    counts = get_user_model().objects.count(), Group.objects.filter(user__isnull=False).count()
    _load(settings, debug=True)
    user.refresh_from_db()
    assert (get_user_model().objects.count(), Group.objects.filter(user__isnull=False).count()) == counts
    assert user.check_password("a-password-of-her-own-2026")


def test_debug_off_sets_no_demo_password(settings):
    out = _load(settings, debug=False)
    users = get_user_model().objects.filter(username__in=demo_usernames())
    assert users.count() == 14 and not any(u.has_usable_password() for u in users)
    assert DEMO_PASSWORD not in out


def test_check_refuses_the_demo_password_when_debug_is_off(settings):
    _load(settings, debug=True)
    assert demo_password_in_production(None, databases=["default"]) == []  # DEBUG on: `make run`
    settings.DEBUG = False
    errors = demo_password_in_production(None, databases=["default"])
    assert [e.id for e in errors] == ["zhunru_security.E002"] and "changjiang-editor" in errors[0].msg
    for user in get_user_model().objects.filter(username__in=demo_usernames()):
        user.set_password(f"{user.username}-own-password")
        user.save()
    assert demo_password_in_production(None, databases=["default"]) == []
