"""Settings of the security app with the ZHUNRU_ prefix and their defaults."""

from csp.constants import SELF, UNSAFE_INLINE
from django.conf import settings

DEFAULTS = {
    # Directives that replace those of CONTENT_SECURITY_POLICY on Wagtail admin pages. Wagtail 8 still
    # writes inline <script> elements (InlinePanel, MultipleChooserPanel, date and time widgets) and
    # inline styles, so the admin needs 'unsafe-inline' there; nonces cannot reach its widget templates.
    "CSP_ADMIN_DIRECTIVES": {
        "script-src": [SELF, UNSAFE_INLINE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
    },
    # Group names whose members must use two-factor authentication; "__superusers__" matches
    # superusers, "__all__" every user of the admin.
    "REQUIRE_2FA_FOR": [],
    # Wagtail admin's password reset (zhunru.security.password_reset): requests per sliding window.
    "PASSWORD_RESET_RATES": {"client": "10/h", "address": "5/h", "account": "3/h"},
    # Part of the password reset throttle's cache keys (tests give each test its own).
    "PASSWORD_RESET_THROTTLE_NAMESPACE": "v1",
}


def get(name: str):
    return getattr(settings, f"ZHUNRU_{name}", DEFAULTS[name])
