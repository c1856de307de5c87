"""notify(): one in-admin notification and one email per user and key, however often it runs."""

import pytest

from zhunru.leads.models import Notification
from zhunru.leads.notifications import notify


@pytest.mark.django_db
def test_notify_is_idempotent_per_key(make_user, mailoutbox, django_capture_on_commit_callbacks):
    alice, bob = make_user("alice"), make_user("bob")
    with django_capture_on_commit_callbacks(execute=True):
        assert notify([alice, bob, alice], "线索即将到期", "请于明日前完成核查。", key="t:1") == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert notify([alice, bob], "线索即将到期", "请于明日前完成核查。", key="t:1") == 0
    assert Notification.objects.count() == 2
    assert len(mailoutbox) == 2
    assert mailoutbox[0].subject == "【准入】线索即将到期"
    assert "请于明日前完成核查" in mailoutbox[0].body
    assert Notification.objects.filter(emailed_at__isnull=False).count() == 2


@pytest.mark.django_db
def test_notify_without_key_deduplicates_by_content(make_user, mailoutbox, django_capture_on_commit_callbacks):
    carol = make_user("carol")
    with django_capture_on_commit_callbacks(execute=True):
        notify([carol], "复查提醒", "案例需复查。")
        notify([carol], "复查提醒", "案例需复查。")
        notify([carol], "复查提醒", "另一个案例需复查。")
    assert Notification.objects.for_user(carol).count() == 2
    assert len(mailoutbox) == 2
