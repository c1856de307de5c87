"""好差评 follow-ups must be answered: a due date by the working-day calendar, overdue ones listed for the
department and coordinators, and a daily reminder that is idempotent."""

import datetime

import pytest
from django.utils import timezone

from zhunru import roles
from zhunru.audit.models import AuditEvent
from zhunru.catalog.models import RatingFollowUp, ServiceItem, ServiceRating
from zhunru.catalog.ratings import (
    follow_up_due,
    refresh_follow_up_due_dates,
    remind_overdue_follow_ups,
    submit_rating,
)
from zhunru.leads.models import HolidayYear, Notification

LIST_URL = "/admin/snippets/zhunru_catalog/ratingfollowup/"


def at(day: str, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(datetime.date.fromisoformat(day), datetime.time(hour)))


@pytest.fixture
def setup(make_department, make_user):
    dept_a, dept_b = make_department("甲局"), make_department("乙局")
    service_a = ServiceItem.objects.create(department=dept_a, name="食品经营许可", published=True)
    service_b = ServiceItem.objects.create(department=dept_b, name="乙局事项", published=True)
    coordinator_dept = dept_a.jurisdiction.departments.get(is_lead=True)
    return {
        "service_a": service_a,
        "service_b": service_b,
        "editor_a": make_user("editor_a", groups=[roles.EDITOR], departments=[dept_a]),
        "editor_b": make_user("editor_b", groups=[roles.EDITOR], departments=[dept_b]),
        "coordinator": make_user("coord", groups=[roles.COORDINATOR], departments=[coordinator_dept]),
    }


def follow_up(service, *, due: datetime.date, answered: bool = False, comment: str = "") -> RatingFollowUp:
    rating = submit_rating(service, 1, "hall", comment)
    fu = rating.follow_up
    RatingFollowUp.objects.filter(pk=fu.pk).update(
        due_date=due, answered_at=timezone.now() if answered else None, answer="已整改" if answered else ""
    )
    fu.refresh_from_db()
    return fu


@pytest.mark.parametrize(
    "start, due",
    [
        # Tuesday before National Day 2025: Oct 1-8 off, Saturday Oct 11 is a make-up working day.
        ("2025-09-30", "2025-10-14"),
        # An ordinary Wednesday: the start day is not counted, the weekend is skipped.
        ("2025-06-11", "2025-06-18"),
    ],
)
def test_due_date_counts_five_working_days_by_the_calendar(db, start, due):
    assert follow_up_due(at(start)) == (datetime.date.fromisoformat(due), False)


def test_due_date_limit_is_configurable(db, settings):
    settings.ZHUNRU_CATALOG_FOLLOW_UP_LIMIT = (7, "calendar")
    # Seven calendar days from Sept 24 end on Oct 1, a holiday: the period runs to the first working day.
    assert follow_up_due(at("2025-09-24")) == (datetime.date(2025, 10, 9), False)


def test_misconfigured_limit_is_a_system_check_warning(settings):
    from zhunru.catalog.checks import check_catalog_settings

    assert check_catalog_settings() == []
    settings.ZHUNRU_CATALOG_FOLLOW_UP_LIMIT = (5, "weeks")
    assert [w.id for w in check_catalog_settings()] == ["zhunru_catalog.W001"]


def test_unsatisfied_rating_opens_follow_up_with_due_date(setup):
    rating = submit_rating(setup["service_a"], 2, "portal", "材料要求不清楚")

    fu = rating.follow_up
    assert (fu.due_date, fu.due_provisional) == follow_up_due(rating.created_at)
    assert fu.due_date > timezone.localdate(rating.created_at) and not fu.is_overdue()
    assert not hasattr(submit_rating(setup["service_a"], 4, "portal"), "follow_up")


def test_due_dates_are_filled_in_and_provisional_ones_recomputed(setup):
    fu = submit_rating(setup["service_a"], 1, "phone").follow_up
    ServiceRating.objects.filter(pk=fu.rating_id).update(created_at=at("2099-06-10"))  # a year nobody knows yet
    RatingFollowUp.objects.filter(pk=fu.pk).update(due_date=None, due_provisional=False)  # as before the migration

    assert refresh_follow_up_due_dates() == 1
    fu.refresh_from_db()
    assert fu.due_date == datetime.date(2099, 6, 17) and fu.due_provisional
    assert refresh_follow_up_due_dates() == 0  # still unknown: nothing moves

    HolidayYear.objects.create(year=2099)
    assert refresh_follow_up_due_dates() == 1
    fu.refresh_from_db()
    assert fu.due_date == datetime.date(2099, 6, 17) and not fu.due_provisional
    assert AuditEvent.objects.filter(action="catalog.follow_up_due_recomputed").count() == 2


def test_overdue_follow_ups_listed_for_department_and_coordinators(client, setup):
    today = timezone.localdate()
    late = follow_up(setup["service_a"], due=today - datetime.timedelta(days=3))
    due_today = follow_up(setup["service_a"], due=today)
    answered = follow_up(setup["service_a"], due=today - datetime.timedelta(days=9), answered=True)
    other = follow_up(setup["service_b"], due=today - datetime.timedelta(days=3))
    assert set(RatingFollowUp.objects.overdue(today)) == {late, other}

    for user in ("editor_a", "coordinator"):
        client.force_login(setup[user])
        listing = client.get(LIST_URL)
        assert listing.status_code == 200
        assert "逾期 3 天未答复" in listing.content.decode()
        ids = [o.pk for o in listing.context["object_list"]]
        expected_first = {late.pk, other.pk} if user == "coordinator" else {late.pk}
        assert set(ids[: len(expected_first)]) == expected_first  # overdue on top
        assert answered.pk == ids[-1]
        filtered = {o.pk for o in client.get(LIST_URL + "?overdue=true").context["object_list"]}
        assert filtered == ({late.pk, other.pk} if user == "coordinator" else {late.pk})
        assert due_today.pk not in filtered

    client.force_login(setup["editor_b"])
    assert {o.pk for o in client.get(LIST_URL + "?overdue=true").context["object_list"]} == {other.pk}
    # The answer form tells the department how late it is.
    client.force_login(setup["editor_a"])
    form = client.get(f"{LIST_URL}edit/{late.pk}/").context["form"]
    assert "已逾期 3 天" in form.fields["answer"].help_text


def test_reminder_is_daily_and_idempotent(setup):
    today = timezone.localdate()
    late = follow_up(setup["service_a"], due=today - datetime.timedelta(days=2), comment="窗口排队两小时")
    follow_up(setup["service_a"], due=today + datetime.timedelta(days=3))  # not overdue yet
    follow_up(setup["service_a"], due=today - datetime.timedelta(days=5), answered=True)

    assert remind_overdue_follow_ups(today) == 1
    notes = Notification.objects.filter(key=f"catalog:follow-up:{late.pk}:overdue:{today}")
    assert {n.recipient.username for n in notes} == {"editor_a", "coord"}
    note = notes.first()
    assert "食品经营许可" in note.subject and "逾期 2 天" in note.body and "窗口排队两小时" in note.body
    assert note.url == f"{LIST_URL}edit/{late.pk}/"

    # Twice the same day: nothing more.
    assert remind_overdue_follow_ups(today) == 0
    assert Notification.objects.count() == 2

    # The next day, once more; once answered, never again.
    tomorrow = today + datetime.timedelta(days=1)
    assert remind_overdue_follow_ups(tomorrow) == 1
    assert Notification.objects.count() == 4
    RatingFollowUp.objects.filter(pk=late.pk).update(answered_at=timezone.now(), answer="已增设窗口")
    assert remind_overdue_follow_ups(tomorrow + datetime.timedelta(days=1)) == 0
    assert AuditEvent.objects.filter(action="catalog.follow_up_overdue_reminder").count() == 2


def test_reminder_actor_is_scheduled_daily_and_runs_as_a_function(setup):
    from zhunru.workers.scheduler import JOBS
    from zhunru.workers.tasks.catalog import remind_overdue_rating_follow_ups

    job = JOBS["remind_overdue_rating_follow_ups"]
    assert job.every == datetime.timedelta(days=1) and remind_overdue_rating_follow_ups.queue_name == "catalog"
    follow_up(setup["service_a"], due=timezone.localdate() - datetime.timedelta(days=1))
    remind_overdue_rating_follow_ups()
    remind_overdue_rating_follow_ups()
    assert Notification.objects.count() == 2
