"""Half-signed-in sessions: the password was right, the second factor is still owed."""

from urllib.parse import urlencode

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhunru.mounts import admin_prefix, is_zhunru_path
from zhunru.security import twofactor

# What a session may still open while it owes a code, or an enrolment (the code page itself needs the
# admin's translations and icon sprite).
ALWAYS_OPEN = {"wagtailadmin_login", "wagtailadmin_logout", "wagtailadmin_javascript_catalog", "wagtailadmin_sprite"}
OPEN = {"verify": ALWAYS_OPEN | {"zhunru_2fa_verify"}, "enrol": ALWAYS_OPEN | {"zhunru_2fa"}}
TARGET = {"verify": "zhunru_2fa_verify", "enrol": "zhunru_2fa"}


async def _anonymous():
    return AnonymousUser()


class TwoFactorMiddleware:
    """After django-otp's OTPMiddleware. A signed-in user who has a confirmed device but has not given a
    code in this session (or must enrol and has not) is sent to the code (enrolment) page from every
    admin page, and counts as anonymous everywhere else on the plugin's URLs (API, attachments). A host
    site's own pages are left alone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and is_zhunru_path(request.path_info) and user.is_authenticated:
            step = twofactor.pending_step(user)
            if step is not None:
                response = self.hold(request, step)
                if response is not None:
                    return response
        return self.get_response(request)

    def hold(self, request, step: str):
        try:
            name = resolve(request.path_info).url_name
        except Resolver404:
            name = None
        if name in OPEN[step]:
            return None
        prefix = admin_prefix()
        if prefix and request.path_info.startswith(prefix):
            target = reverse(TARGET[step])
            next_url = request.get_full_path() if request.method == "GET" else prefix
            return redirect(f"{target}?{urlencode({'next': next_url})}")
        request.user = AnonymousUser()
        request.auser = _anonymous
        return None


# Wagtail's site history report filters log entries by content type, not by department or jurisdiction: a
# coordinator who may view ledger entries would read every jurisdiction's titles in it (the tenant walk found
# it). The timeline for coordinators and auditors is the audit chain (审计日志), which mirrors every Wagtail log
# entry with its jurisdiction and is scoped by AuditEvent.objects.visible_to; this report is for superusers.
# The same for Wagtail's other reports that list every Site or every page of a type whatever its jurisdiction:
# the page types report (every Site, the last edited page of each type), the page-type usage listing (every page
# of the type) and the form pages listing (its site filter names every Site; form pages are scoped by
# ``filter_form_submissions_for_user``, so it lists nothing of a jurisdiction's to anyone else anyway).
SITE_HISTORY_REFUSAL = gettext_lazy("站点历史记录涉及所有辖区，仅超级管理员可以查看；请在“审计日志”中查看本辖区的记录。")
ALL_SITES_REFUSAL = gettext_lazy("该报表涉及所有辖区的站点和页面，仅超级管理员可以查看。")
JURISDICTION_WIDE_VIEWS = {
    "wagtailadmin_reports:site_history": SITE_HISTORY_REFUSAL,
    "wagtailadmin_reports:site_history_results": SITE_HISTORY_REFUSAL,
    "wagtailadmin_reports:page_types_usage": ALL_SITES_REFUSAL,
    "wagtailadmin_reports:page_types_usage_results": ALL_SITES_REFUSAL,
    "wagtailadmin_pages:type_use": ALL_SITES_REFUSAL,
    "wagtailadmin_pages:type_use_results": ALL_SITES_REFUSAL,
    "wagtailforms:index": ALL_SITES_REFUSAL,
    "wagtailforms:index_results": ALL_SITES_REFUSAL,
}
# The URL arguments naming a page in Wagtail's admin views (edit, history, delete, move and its destination, copy,
# revisions, workflow steps, add a subpage, the explorer, the page chooser's listing, form submissions, …). A page
# of another jurisdiction answers 404 in any of them, as any other foreign id does: Wagtail itself would redirect
# with "没有权限访问" (naming that the page exists) or, in the workflow preview's refusal, show its title.
PAGE_ID_KWARGS = ("page_id", "parent_page_id", "page_to_move_id", "destination_id")
# Views whose refusal names the page: 404 for a jurisdiction's page even to a user of no jurisdiction (a global
# role of a single-office installation, whom the other views leave to Wagtail's page permissions).
TITLE_NAMING_PAGE_VIEWS = {"wagtailadmin_pages:workflow_preview", "wagtailadmin_pages:usage"}


def _resolve(path_info: str):
    """The URL's ResolverMatch, or None where nothing matches (the 404 follows)."""
    try:
        return resolve(path_info)
    except Resolver404:
        return None


def jurisdiction_wide_view(match) -> str:
    """The refusal message when ``match`` (a ResolverMatch or None) is a view for superusers only, else ""."""
    return JURISDICTION_WIDE_VIEWS.get(match.view_name, "") if match is not None else ""


def foreign_page_view(request, match) -> bool:
    """Whether the request opens an admin view (``match``) naming a page (``PAGE_ID_KWARGS``) of a jurisdiction
    other than the user's (audited). Pages of no jurisdiction (a host site's own), and users of no jurisdiction
    outside ``TITLE_NAMING_PAGE_VIEWS``, are left to Wagtail's permissions."""
    from zhunru.audit.jurisdictions import page_jurisdiction_id
    from zhunru.scoping import record_foreign_attempt, user_jurisdictions

    if match is None or not request.path_info.startswith(admin_prefix() or "/admin/"):
        return False
    ids = {match.kwargs[name] for name in PAGE_ID_KWARGS if name in match.kwargs}
    if not ids:
        return False
    from wagtail.models import Page

    owners = {page.pk: owner for page in Page.objects.filter(pk__in=ids).only("path")
              if (owner := page_jurisdiction_id(page)) is not None}
    if not owners:
        return False
    mine = set(user_jurisdictions(request.user).values_list("pk", flat=True))
    if not mine and match.view_name not in TITLE_NAMING_PAGE_VIEWS:
        return False
    foreign = next((pk for pk, owner in owners.items() if owner not in mine), None)
    if foreign is None:
        return False
    record_foreign_attempt(request, Page, foreign)
    return True


# What a read-only user (the auditor) may still POST in the admin: their own session, account and settings.
READ_ONLY_MAY_POST = {"wagtailadmin_login", "wagtailadmin_logout", "zhunru_2fa", "zhunru_2fa_verify",
                      "zhunru_notification_preference", "wagtailadmin_dismissibles"}


def read_only_may_post(match) -> bool:
    if match is None:
        return True  # nothing there to change: the 404 follows
    return match.view_name in READ_ONLY_MAY_POST or match.view_name.startswith("wagtailadmin_account")


class JurisdictionWideReportsMiddleware:
    """Refuse Wagtail's site history report (page, results and exports) and the other reports over every
    Site (``JURISDICTION_WIDE_VIEWS``) to all but superusers (they are not scoped by jurisdiction);
    ``zhunru.security.wagtail_hooks`` hides their menu items from the rest. An admin view naming a page of
    another jurisdiction (``PAGE_ID_KWARGS``) answers 404.

    And the auditor is read-only everywhere in the admin: any POST, PUT, PATCH or DELETE by a user whose only
    role is the auditor's is refused with 403 before a view runs (their own account and session aside), so
    no action, edit or upload a view forgot to guard can change anything."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from zhunru.scoping import is_read_only

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        writes = request.method not in ("GET", "HEAD", "OPTIONS")
        # The URL is resolved once for the checks below, and only when one of them applies.
        match = _resolve(request.path_info) if writes or not user.is_superuser else None
        if (writes and request.path_info.startswith(admin_prefix() or "/admin/") and is_read_only(user)
                and not read_only_may_post(match)):
            raise PermissionDenied(_("审计员为只读角色，不能新增、修改、删除或办理任何事项。"))
        if not user.is_superuser:
            if refusal := jurisdiction_wide_view(match):
                raise PermissionDenied(refusal)
            if foreign_page_view(request, match):
                raise Http404(_("页面不存在或您无权访问。"))
        return self.get_response(request)
