"""Models of 准入 · 案例: the case register, bulletins, self-inspection campaigns and the problem ledger."""

from zhunru.cases.models.bulletins import BulletinCase, BulletinIndexPage, BulletinPage
from zhunru.cases.models.inspection import InspectionCampaign, LedgerEntry
from zhunru.cases.models.register import (
    REGISTERED_STATUSES,
    RETENTION,
    SUBCATEGORIES,
    Case,
    CaseTransitionError,
    Category,
    Importance,
    IntegrityReport,
    MailboxNotice,
    RegisterCounter,
    RegisterSettings,
    Source,
    Status,
    Subcategory,
    default_interval,
    validate_number_format,
)

__all__ = [
    "REGISTERED_STATUSES",
    "RETENTION",
    "SUBCATEGORIES",
    "BulletinCase",
    "BulletinIndexPage",
    "BulletinPage",
    "Case",
    "CaseTransitionError",
    "Category",
    "Importance",
    "InspectionCampaign",
    "IntegrityReport",
    "LedgerEntry",
    "MailboxNotice",
    "RegisterCounter",
    "RegisterSettings",
    "Source",
    "Status",
    "Subcategory",
    "default_interval",
    "validate_number_format",
]
