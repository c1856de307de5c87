"""Where a notification goes: one small interface, three kinds of channel.

- ``InAppChannel``: the ``Notification`` row itself is the in-admin message (我的提醒); nothing to send.
- ``EmailChannel``: a Chinese e-mail with the time in Beijing time and an absolute link to the item.
- the messaging adapter (SMS, WeCom 企业微信, DingTalk 钉钉): chosen by dotted path in
  ``ZHUNRU_LEADS_MESSAGING_CHANNEL``; the default, ``LoggingChannel``, only logs. An installation that
  has a gateway writes a class with the same ``deliver(notification)`` method.

A channel raises ``ChannelError`` when a delivery failed; the relay records it and retries.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from zhunru.clock import format_datetime

log = logging.getLogger(__name__)



class ChannelError(Exception):
    """A delivery failed; the message is kept for the record (``Notification.email_error``)."""


class Channel:
    name = ""

    def deliver(self, notification, *, connection=None) -> None:
        raise NotImplementedError


class InAppChannel(Channel):
    name = "in_app"

    def deliver(self, notification, *, connection=None) -> None:
        """The row is the message: it shows in the recipient's 我的提醒 as soon as its transaction commits."""


def absolute_url(url: str, jurisdiction=None) -> str:
    """``url`` as built by ``reverse()``, made absolute: admin links on WAGTAILADMIN_BASE_URL, public links on
    the jurisdiction's Site (hostname and port), see ``zhunru.mounts.absolute_url``."""
    from zhunru.mounts import absolute_url as build

    return build(url, jurisdiction)


def notification_jurisdiction(notification):
    """The jurisdiction a notification is about (its target's), or None."""
    try:
        target = notification.target
    except Exception:  # a deleted target or a model no longer installed
        return None
    jurisdiction = getattr(target, "jurisdiction", None)
    return jurisdiction if hasattr(jurisdiction, "site_id") else None


def beijing_time(value) -> str:
    return _("{format_datetime}（北京时间）").format(format_datetime=format_datetime(value))


class EmailChannel(Channel):
    name = "email"

    def render(self, notification) -> EmailMessage:
        user = notification.recipient
        name = (user.get_full_name() or user.get_username()) if user is not None else ""
        lines = [_("{name}，您好：").format(name=name) if name else _("您好："), "", notification.body, "",
                 _("时间：{beijing_time}").format(beijing_time=beijing_time(notification.created_at))]
        link = absolute_url(notification.url, notification_jurisdiction(notification))
        if link:
            lines.append(_("查看：{link}").format(link=link))
        lines += ["", _("——准入平台（本邮件由系统自动发送，请勿直接回复）")]
        return EmailMessage(_("【准入】{subject}").format(subject=notification.subject), "\n".join(lines), settings.DEFAULT_FROM_EMAIL,
                            [notification.email_address])

    def deliver(self, notification, *, connection=None) -> None:
        if not notification.email_address:
            raise ChannelError(_("收件人没有邮箱地址。"))
        message = self.render(notification)
        message.connection = connection
        try:
            sent = message.send()
        except Exception as exc:  # SMTP refusals, timeouts, a down server: recorded and retried by the relay
            raise ChannelError(f"{type(exc).__name__}: {exc}"[:1000]) from exc
        if not sent:
            raise ChannelError(_("邮件服务器未接受该邮件。"))


class LoggingChannel(Channel):
    """The default messaging adapter: no SMS/WeCom/DingTalk gateway is configured, so it only logs."""

    name = "log"

    def deliver(self, notification, *, connection=None) -> None:
        log.info("提醒（未配置短信/企业微信/钉钉通道，仅记录）：%s → %s", notification.subject,
                 notification.recipient or notification.address)


def messaging_channel() -> Channel:
    from zhunru.leads import conf

    return import_string(conf.get("MESSAGING_CHANNEL"))()
