"""django-auditlog's middleware, taking the client's address from ``client_ip`` like the rest of the trail.

It also makes the request's actor and address available to audit entries recorded deep inside a
request without the request at hand (permission changes, Wagtail's log): ``request_actor_and_ip()``.
"""

from auditlog.context import auditlog_value
from auditlog.middleware import AuditlogMiddleware as BaseAuditlogMiddleware
from django.conf import settings

from zhunru.mounts import is_zhunru_path
from zhunru.proxies import client_ip


def request_actor_and_ip() -> tuple[object | None, str | None]:
    """The signed-in user and client address of the request being handled, or (None, None) outside one."""
    context = auditlog_value.get(None) or {}
    return context.get("actor"), context.get("remote_addr")


class AuditlogMiddleware(BaseAuditlogMiddleware):
    """Records the actor and address of changes made through the plugin's URLs and the Wagtail admin."""

    @staticmethod
    def _get_remote_addr(request):
        if settings.AUDITLOG_DISABLE_REMOTE_ADDR:
            return None
        return client_ip(request)

    def __call__(self, request):
        if not is_zhunru_path(request.path_info):  # a host site's own pages: not ours to record
            return self.get_response(request)
        # django-auditlog sets its context variable and never unsets it: without the reset, whatever this
        # thread does after the request (a test, a management command) would be attributed to its user.
        token = auditlog_value.set(None)
        try:
            return super().__call__(request)
        finally:
            auditlog_value.reset(token)
