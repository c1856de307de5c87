"""Admin views: the indexing backlog (outbox), for administrators."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from zhunru.search import indexing
from zhunru.search.backends import get_backend
from zhunru.search.models import IndexTask


def can_view_backlog(user) -> bool:
    return user.is_superuser or user.has_perm("zhunru_search.view_indextask")


@require_http_methods(["GET", "POST"])
def backlog_view(request):
    """Pending and failing index tasks, the backend's health, and a button to retry due tasks now."""
    if not can_view_backlog(request.user):
        raise PermissionDenied
    if request.method == "POST":
        IndexTask.objects.pending().update(next_attempt_at=IndexTask._meta.get_field("next_attempt_at").default())
        sent = indexing.sweep()
        messages.success(request, _("已重新提交 {sent} 个索引任务。").format(sent=sent))
        return redirect("zhunru_search_backlog")
    pending = IndexTask.objects.pending().order_by("created_at")[:200]
    return TemplateResponse(request, "zhunru_search/backlog.html", {
        "health": get_backend().health(),
        "backlog": indexing.backlog(),
        "tasks": pending,
        "page_title": _("检索索引积压"),
    })
