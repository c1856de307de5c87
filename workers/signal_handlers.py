"""Wiring from the domain to the broker: domain signals enqueue actors after commit."""

import logging

log = logging.getLogger(__name__)


def enqueue_notification_relay(sender, ids, **kwargs) -> None:
    """Sent on commit by zhunru.leads.notifications: enqueue the relay; if the broker is down, the sweep sends them."""
    from zhunru.workers.tasks.notifications import relay_notifications

    try:
        relay_notifications.send(list(ids))
    except Exception:  # the rows are committed and stay due: sweep_notifications picks them up
        log.warning("提醒邮件入队失败（%s 条），等待定期补发", len(ids), exc_info=True)


def connect() -> None:
    from zhunru.leads.signals import notifications_queued

    notifications_queued.connect(enqueue_notification_relay, dispatch_uid="zhunru_workers_notification_relay")
