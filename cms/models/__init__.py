from .attachments import Attachment
from .pages import JurisdictionHomePage, PolicyIndexPage, PolicyPage, PortalIndexPage
from .reference import Department, DepartmentMembership, Jurisdiction

__all__ = [
    "Attachment",
    "Department",
    "DepartmentMembership",
    "Jurisdiction",
    "JurisdictionHomePage",
    "PolicyIndexPage",
    "PolicyPage",
    "PortalIndexPage",
]
