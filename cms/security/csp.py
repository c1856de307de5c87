"""The Content Security Policy: CONTENT_SECURITY_POLICY on the plugin's URLs, relaxed on Wagtail admin pages.

A host site's own pages get no header from us (``zhunru.mounts``).
"""

from csp.middleware import CSPMiddleware as BaseCSPMiddleware

from zhunru.mounts import admin_prefix, is_admin_path, is_zhunru_path
from zhunru.security import conf

__all__ = ["CSPMiddleware", "admin_prefix"]


class CSPMiddleware(BaseCSPMiddleware):
    """django-csp's middleware, on the plugin's URLs and the admin only; on admin pages
    ZHUNRU_CSP_ADMIN_DIRECTIVES replace the site's directives.

    A view that sets its own policy with django-csp's decorators keeps it.
    """

    def process_request(self, request):
        if is_zhunru_path(request.path_info):
            super().process_request(request)

    def process_response(self, request, response):
        if not is_zhunru_path(request.path_info):
            return response
        return super().process_response(request, response)

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only and is_admin_path(request.path_info) and parts.config is None:
            parts.replace = {**conf.get("CSP_ADMIN_DIRECTIVES"), **(parts.replace or {})}
        return parts
