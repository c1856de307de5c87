"""Zhunru (准入): the Wagtail/Django plugin.

A host Wagtail site installs the plugin with ``INSTALLED_APPS += ZHUNRU_APPS``
and ``path("", include("zhunru.urls"))`` before Wagtail's own catch-all URL.
"""

if __name__ != "zhunru":  # pragma: no cover - the folder imported under its design name
    raise ImportError(
        "cms/ is the package `zhunru`: import `zhunru…`, not `cms…` "
        "(install the project with `pip install -e .`; see pyproject.toml's package-dir)."
    )


ZHUNRU_APPS = [
    "zhunru",  # core: jurisdictions, departments, roles, policy pages, attachments
    "zhunru.audit",  # tamper-evident audit trail
    "zhunru.leads",  # lead tracker and the "0137" deadlines
    "zhunru.cases",  # case register, bulletins, self-inspection ledger
    "zhunru.catalog",  # negative list editions, service items, ratings, screening
    "zhunru.credit",  # market subjects, commitments, credit-platform exchange
    "zhunru.portal",  # public portal and complaints
    "zhunru.security",  # login throttling, two-factor authentication, CSP, backup and restore
    "zhunru.search",  # Chinese full-text search
    "zhunru.workers",  # Dramatiq actors and the scheduler
]
