from zhunru.models.attachments import Attachment
from zhunru.models.imports import ImportRun
from zhunru.models.pages import JurisdictionHomePage, PolicyIndexPage, PolicyPage, PortalIndexPage
from zhunru.models.reference import Department, DepartmentMembership, Jurisdiction, JurisdictionGroup

__all__ = [
    "Attachment",
    "Department",
    "DepartmentMembership",
    "ImportRun",
    "Jurisdiction",
    "JurisdictionGroup",
    "JurisdictionHomePage",
    "PolicyIndexPage",
    "PolicyPage",
    "PortalIndexPage",
]
