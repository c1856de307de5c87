"""Zhunru (准入): the Wagtail/Django plugin.

A host Wagtail site installs the plugin with the lines of ``zhunru.settings`` (ZHUNRU_APPS,
ZHUNRU_MIDDLEWARE) and ``path("zhunru/", include("zhunru.urls"))`` before Wagtail's own catch-all URL.
"""

if __name__ != "zhunru":  # pragma: no cover - the folder imported under its design name
    raise ImportError(
        "cms/ is the package `zhunru`: import `zhunru…`, not `cms…` "
        "(install the project with `pip install -e .`; see pyproject.toml's package-dir)."
    )


def __getattr__(name: str):
    """``from zhunru import ZHUNRU_APPS`` (the 0.1 spelling) still works; zhunru.settings is the place."""
    if name in ("ZHUNRU_APPS", "ZHUNRU_MIDDLEWARE"):
        from zhunru import settings

        return getattr(settings, name)
    raise AttributeError(f"module 'zhunru' has no attribute {name!r}")
