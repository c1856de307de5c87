"""Where the plugin answers: its own URL prefix (wherever the host included ``zhunru.urls``) and the
Wagtail admin. Zhunru's middleware (CSP, two-factor, audit context) acts there only, so a host's own
pages are served as before."""

from django.urls import NoReverseMatch, reverse

MARKER = "zhunru_healthz"  # a URL of zhunru.urls without arguments
MARKER_PATH = "healthz"


def plugin_prefix() -> str | None:
    """The path prefix ``zhunru.urls`` is mounted at ("/" in this project, "/zhunru/" in a typical host)."""
    try:
        url = reverse(MARKER)
    except NoReverseMatch:
        return None
    return url[: -len(MARKER_PATH)]


def admin_prefix() -> str | None:
    try:
        return reverse("wagtailadmin_home")
    except NoReverseMatch:
        return None


def is_admin_path(path_info: str) -> bool:
    prefix = admin_prefix()
    return bool(prefix) and path_info.startswith(prefix)


def is_zhunru_path(path_info: str) -> bool:
    """The request is for the plugin's URLs (or pages served under its prefix) or for the Wagtail admin."""
    prefix = plugin_prefix()
    return (bool(prefix) and path_info.startswith(prefix)) or is_admin_path(path_info)
