"""Daily digest: a person who chose it gets one e-mail a day with their notifications; in-app stays at once."""

import datetime

from django.urls import reverse
from django.utils import timezone

from zhunru.leads.models import Notification, NotificationPreference
from zhunru.leads.notifications import digest_cutoff, notify, relay, send_digests


def test_a_digest_reader_gets_one_mail_with_everything_once(make_user, mailoutbox, django_capture_on_commit_callbacks):
    reader = make_user("reader")
    eager = make_user("eager")
    NotificationPreference.objects.create(user=reader, email_mode="digest")
    with django_capture_on_commit_callbacks(execute=True):
        notify([reader, eager], "收到移交线索：甲", "请签收并核查。", key="k1")
        notify([reader], "延期申请已批准：乙", "新的期限已生效。", key="k2")
    assert [m.to for m in mailoutbox] == [[eager.email]]  # the immediate reader's one e-mail
    assert set(Notification.objects.filter(recipient=reader).values_list("email_status", flat=True)) == {"digest"}
    assert relay().sent == 0  # the sweep leaves digest rows alone

    later = timezone.now() + datetime.timedelta(days=2)
    assert send_digests(later) == 1
    digest = mailoutbox[-1]
    assert digest.to == [reader.email] and "提醒汇总（2 条）" in digest.subject
    assert "收到移交线索：甲" in digest.body and "延期申请已批准：乙" in digest.body
    assert send_digests(later) == 0 and len(mailoutbox) == 2
    assert set(Notification.objects.filter(recipient=reader).values_list("email_status", flat=True)) == {"sent"}


def test_notifications_after_the_digest_hour_wait_for_the_next_day(make_user, mailoutbox):
    reader = make_user("reader")
    NotificationPreference.objects.create(user=reader, email_mode="digest")
    notify([reader], "催办：丙", "请抓紧办理。", key="k3")
    assert send_digests(timezone.now()) == 0  # written after today's digest time (or before it, not yet due)
    assert mailoutbox == []


def test_the_cutoff_is_the_digest_hour_in_beijing():
    now = datetime.datetime(2026, 12, 4, 1, 30, tzinfo=datetime.UTC)  # 09:30 in Beijing
    assert digest_cutoff(now).isoformat() == "2026-12-04T08:00:00+08:00"
    early = datetime.datetime(2026, 12, 3, 23, 30, tzinfo=datetime.UTC)  # 07:30 in Beijing on the 4th
    assert digest_cutoff(early).isoformat() == "2026-12-03T08:00:00+08:00"


def test_choosing_the_digest_in_the_admin(client, make_user):
    from zhunru import roles

    user = make_user("officer", groups=[roles.DEPARTMENT_OFFICER])
    client.force_login(user)
    url = reverse("zhunru_notification_preference")
    assert "每天汇总发送一封邮件" in client.get(url).content.decode()
    client.post(url, {"email_mode": "digest"})
    assert NotificationPreference.objects.get(user=user).email_mode == "digest"
    assert client.post(url, {"email_mode": "weekly"}).status_code == 200  # refused with the form's message
    assert NotificationPreference.objects.get(user=user).email_mode == "digest"
