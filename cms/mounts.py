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


def site_root_url(jurisdiction=None) -> str:
    """Scheme, host and port that links built outside a request start with (e-mails, notifications, worker
    jobs): the jurisdiction's Wagtail Site as configured (hostname and port), else ``WAGTAILADMIN_BASE_URL``."""
    from django.conf import settings

    site = getattr(jurisdiction, "site", None) if jurisdiction is not None else None
    if site is not None and site.hostname:
        return site.root_url
    return getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/")


def absolute_url(url: str, jurisdiction=None) -> str:
    """``url`` (as built by ``reverse()`` or a page's path) made absolute without a request.

    Admin links go to ``WAGTAILADMIN_BASE_URL`` (where Wagtail's own e-mails send staff); public links go
    to the jurisdiction's Site, so a complainant's link opens the portal of the jurisdiction they wrote to.
    """
    from django.conf import settings

    if not url or "://" in url or not url.startswith("/"):
        return url
    if is_admin_path(url) or jurisdiction is None:
        base = getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/")
    else:
        base = site_root_url(jurisdiction)
    return f"{base}{url}"
