"""Plugin settings with the ZHUNRU_ prefix and their defaults."""

from pathlib import Path

from django.conf import settings

DEFAULTS = {
    "PRIVATE_MEDIA_ROOT": Path("var/private"),
    "UPLOAD_MAX_BYTES": 20 * 1024 * 1024,
}


def get(name: str):
    return getattr(settings, f"ZHUNRU_{name}", DEFAULTS[name])
