"""Admin view of the notification e-mail outbox: what waits, what failed and why; failed ones can be retried."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from zhunru.leads.models import Notification


def can_view_outbox(user) -> bool:
    return user.is_authenticated and user.is_superuser


def notification_outbox(request):
    if not can_view_outbox(request.user):
        raise PermissionDenied(_("只有系统管理员可以查看提醒邮件发件箱。"))
    if request.method == "POST":
        count = Notification.objects.filter(email_status=Notification.EmailStatus.FAILED).update(
            email_status=Notification.EmailStatus.PENDING, email_attempts=0, email_next_attempt_at=None)
        messages.success(request, ngettext("已将 {count} 条发送失败的提醒邮件重新排入发件箱，将由定期补发任务发送。", "已将 {count} 条发送失败的提醒邮件重新排入发件箱，将由定期补发任务发送。", count).format(count=count))
        return redirect("zhunru_notification_outbox")
    counts = dict(Notification.objects.values_list("email_status").annotate(n=Count("pk")).order_by())
    rows = [(label, counts.get(value, 0)) for value, label in Notification.EmailStatus.choices]
    failed = Notification.objects.filter(email_status=Notification.EmailStatus.FAILED).select_related(
        "recipient").order_by("-created_at", "-pk")[:50]
    return TemplateResponse(request, "zhunru_leads/admin/outbox.html", {
        "rows": rows, "failed": failed, "page_title": _("提醒邮件发件箱"), "header_title": _("提醒邮件发件箱")})
