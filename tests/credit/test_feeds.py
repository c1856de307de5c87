"""Inbound feeds: cursor, application, quarantine."""

import pytest

from zhunru.credit.feeds import pull
from zhunru.credit.models import CreditClassChange, FeedChange, FeedQuarantine


@pytest.fixture
def jiangxi(platforms):
    return platforms[1]


def test_changes_are_applied_and_the_cursor_advances(jiangxi, simulator, make_subject):
    s = make_subject(credit_class="general")
    simulator.add_feed("jiangxi", [
        {"event_id": "E1", "type": "class_change", "uscc": s.uscc, "credit_class": "trustworthy", "reason": "A级纳税人"},
        {"event_id": "E2", "type": "list_add", "uscc": s.uscc, "list": "abnormal", "date": "2026-11-01",
         "reason": "未按期公示年报"},
    ])
    assert pull(jiangxi) == {"applied": 2, "quarantined": 0, "already": 0}
    s.refresh_from_db()
    jiangxi.refresh_from_db()
    assert s.credit_class == "trustworthy" and jiangxi.feed_cursor == "2"
    assert s.on_list("abnormal")
    change = CreditClassChange.objects.get(subject=s)
    assert change.reason == "A级纳税人" and "江西" in change.source
    assert pull(jiangxi) == {"applied": 0, "quarantined": 0, "already": 0}  # nothing new
    simulator.add_feed("jiangxi", [{"event_id": "E3", "type": "list_remove", "uscc": s.uscc, "list": "abnormal",
                                    "date": "2026-11-20", "reason": "已补报"}])
    assert pull(jiangxi)["applied"] == 1
    assert not s.on_list("abnormal")
    assert FeedChange.objects.count() == 3


def test_malformed_records_are_quarantined_never_half_applied(jiangxi, simulator, make_subject):
    s = make_subject(credit_class="general")
    simulator.add_feed("jiangxi", [
        {"event_id": "B1", "type": "class_change", "uscc": "91330100716105852E", "credit_class": "dishonest"},
        {"event_id": "B2", "type": "class_change", "uscc": s.uscc, "credit_class": "excellent"},
        {"event_id": "B3", "type": "list_add", "uscc": s.uscc, "list": "serious", "date": "2026-13-01"},
        "not an object",
        {"event_id": "B5", "type": "list_remove", "uscc": s.uscc, "list": "serious", "date": "2026-11-01"},
        {"event_id": "B6", "type": "class_change", "uscc": s.uscc, "credit_class": "dishonest", "reason": "判决"},
    ])
    assert pull(jiangxi) == {"applied": 1, "quarantined": 5, "already": 0}
    reasons = list(FeedQuarantine.objects.order_by("cursor").values_list("cursor", "reason"))
    assert [c for c, _ in reasons] == ["1", "2", "3", "4", "5"]
    assert "校验位" in reasons[0][1]
    assert "未知的信用等级" in reasons[1][1]
    assert "日期" in reasons[2][1]
    assert "移出" in reasons[4][1]
    s.refresh_from_db()
    assert s.credit_class == "dishonest" and not s.list_memberships.exists()
    jiangxi.refresh_from_db()
    assert jiangxi.feed_cursor == "6"


def test_the_cursor_stays_when_the_platform_is_down(jiangxi, simulator, make_subject):
    from zhunru.workers.clients.credit_platform import CreditPlatformUnavailable

    s = make_subject()
    simulator.add_feed("jiangxi", [{"event_id": "C1", "type": "class_change", "uscc": s.uscc,
                                    "credit_class": "trustworthy"}])
    simulator.stop()
    with pytest.raises(CreditPlatformUnavailable):
        pull(jiangxi)
    jiangxi.refresh_from_db()
    assert jiangxi.feed_cursor == ""
    assert not FeedChange.objects.exists() and not FeedQuarantine.objects.exists()
