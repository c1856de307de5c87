"""Zhunru (准入): the Wagtail/Django plugin.

A host Wagtail site installs the plugin with ``INSTALLED_APPS += ZHUNRU_APPS``
and ``path("", include("cms.urls"))`` before Wagtail's own catch-all URL.
"""

ZHUNRU_APPS = [
    "cms",  # core: jurisdictions, departments, roles, policy pages, attachments
    "cms.audit",  # tamper-evident audit trail
    "cms.leads",  # lead tracker and the "0137" deadlines
    "cms.cases",  # case register, bulletins, self-inspection ledger
    "cms.catalog",  # negative list editions, service items, ratings, screening
    "cms.credit",  # market subjects, commitments, credit-platform exchange
    "cms.portal",  # public portal and complaints
    "cms.security",  # login throttling, two-factor authentication, CSP, backup and restore
    "search",  # Chinese full-text search
    "workers",  # Dramatiq actors and the scheduler
]
