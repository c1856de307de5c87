"""The Content Security Policy: CONTENT_SECURITY_POLICY everywhere, relaxed on Wagtail admin pages."""

from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from django.urls import NoReverseMatch, reverse

from zhunru.security import conf


def admin_prefix() -> str | None:
    try:
        return reverse("wagtailadmin_home")
    except NoReverseMatch:
        return None


class CSPMiddleware(BaseCSPMiddleware):
    """django-csp's middleware; on admin pages ZHUNRU_CSP_ADMIN_DIRECTIVES replace the site's directives.

    A view that sets its own policy with django-csp's decorators keeps it.
    """

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        prefix = admin_prefix()
        if not report_only and prefix and request.path_info.startswith(prefix) and parts.config is None:
            parts.replace = {**conf.get("CSP_ADMIN_DIRECTIVES"), **(parts.replace or {})}
        return parts
