"""Links built outside a request (e-mails, notifications, worker jobs) use the jurisdiction's Wagtail Site as
configured, hostname and port (issue 21 item 4); admin links use WAGTAILADMIN_BASE_URL."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from wagtail.models import Page, Site

from zhunru.mounts import absolute_url, site_root_url


@pytest.fixture
def site_of(jurisdiction):
    def make(hostname: str, port: int):
        site = Site.objects.create(hostname=hostname, port=port, root_page=Page.get_first_root_node(),
                                   site_name=jurisdiction.name)
        jurisdiction.site = site
        jurisdiction.save(update_fields=["site"])
        return site

    return make


@pytest.mark.parametrize("port, root", [(8000, "http://ceshi.example:8000"), (80, "http://ceshi.example"),
                                        (443, "https://ceshi.example")])
def test_public_links_use_the_sites_hostname_and_port(site_of, jurisdiction, port, root):
    site_of("ceshi.example", port)
    path = reverse("zhunru_portal:complaint_status")
    assert site_root_url(jurisdiction) == root
    assert absolute_url(path, jurisdiction) == root + path


def test_admin_links_and_links_without_a_site_use_the_admin_base_url(settings, jurisdiction, site_of):
    settings.WAGTAILADMIN_BASE_URL = "https://admin.example/"
    path = reverse("zhunru_portal:complaint_status")
    assert absolute_url(path, jurisdiction) == "https://admin.example" + path  # no Site yet
    site_of("ceshi.example", 8080)
    admin = reverse("wagtailadmin_home")
    assert absolute_url(admin, jurisdiction) == "https://admin.example" + admin
    assert absolute_url("https://elsewhere.example/x", jurisdiction) == "https://elsewhere.example/x"


def test_a_notification_e_mail_links_to_its_jurisdictions_site(site_of, jurisdiction):
    from zhunru.leads.channels import EmailChannel
    from zhunru.leads.models import Notification

    site_of("ceshi.example", 8000)
    department = jurisdiction.departments.first() or jurisdiction.departments.create(name="测试区发展和改革委员会")
    path = reverse("zhunru_portal:complaint_status")
    note = Notification.objects.create(
        address="someone@example.com", key="t", subject="您反映的问题已办结", body="已办结。", url=path,
        content_type=ContentType.objects.get_for_model(department), object_id=str(department.pk))
    assert f"查看：http://ceshi.example:8000{path}" in EmailChannel().render(note).body


def test_the_daily_digest_links_each_notification(site_of, jurisdiction, make_user, mailoutbox):
    import datetime

    from django.utils import timezone

    from zhunru.leads.models import NotificationPreference
    from zhunru.leads.notifications import notify, send_digests

    site_of("ceshi.example", 8000)
    reader = make_user("reader")
    NotificationPreference.objects.create(user=reader, email_mode="digest")
    path = reverse("zhunru_portal:complaint_status")
    notify([reader], "问题反映已分办", "已受理。", obj=jurisdiction.departments.first(), url=path, key="d1")
    assert send_digests(timezone.now() + datetime.timedelta(days=2)) == 1
    assert f"查看：http://ceshi.example:8000{path}" in mailoutbox[-1].body
