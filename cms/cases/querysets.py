"""Queries of the case register and the problem ledger."""

import datetime

from django.db import models
from django.db.models import Q


class InspectionCampaignQuerySet(models.QuerySet):
    def visible_to(self, user) -> "InspectionCampaignQuerySet":
        """The campaigns of the user's jurisdictions (every one for superusers)."""
        from zhunru.scoping import user_jurisdictions

        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(jurisdiction__in=user_jurisdictions(user))


class CaseQuerySet(models.QuerySet):
    def registered(self) -> "CaseQuerySet":
        """Cases that carry a register number (registered, under review or archived)."""
        from zhunru.cases.models import REGISTERED_STATUSES

        return self.filter(status__in=REGISTERED_STATUSES)

    def archived(self) -> "CaseQuerySet":
        from zhunru.cases.models import Status

        return self.filter(status=Status.ARCHIVED)

    def published(self) -> "CaseQuerySet":
        """Cases presented in at least one live bulletin: the only cases the public may see."""
        return self.registered().filter(bulletin_links__page__live=True).distinct()

    def visible_to(self, user) -> "CaseQuerySet":
        """Department scoping: a department sees the cases it reported; coordinators see their jurisdictions'."""
        from zhunru.scoping import visible_departments

        return self.filter(reporting_department__in=visible_departments(user))

    def due_for_review(self, today: datetime.date) -> "CaseQuerySet":
        """Registered cases whose last periodic review is at least one interval (by importance) old."""
        from zhunru.cases.models import Importance, RegisterSettings, default_interval

        due = Q(last_reviewed_on__isnull=True)
        custom = list(RegisterSettings.objects.all())
        for settings in custom:
            for importance in Importance.values:
                due |= Q(
                    jurisdiction_id=settings.jurisdiction_id,
                    importance=importance,
                    last_reviewed_on__lte=today - settings.review_interval(importance),
                )
        defaults = Q()
        for importance in Importance.values:
            defaults |= Q(
                importance=importance,
                last_reviewed_on__lte=today - datetime.timedelta(days=default_interval(importance)),
            )
        due |= defaults & ~Q(jurisdiction_id__in=[s.jurisdiction_id for s in custom])
        return self.registered().filter(due)

    def catalogue(self, *, category: str = "", year: int | None = None, importance: str = "") -> "CaseQuerySet":
        """The archive catalogue (档案目录): archived cases in archive-number order, optionally filtered."""
        qs = self.archived()
        if category:
            qs = qs.filter(category=category)
        if year:
            qs = qs.filter(archive_year=year)
        if importance:
            qs = qs.filter(importance=importance)
        return qs.select_related("jurisdiction", "reporting_department").order_by(
            "jurisdiction__division_code", "archive_year", "archive_serial"
        )


class LedgerEntryQuerySet(models.QuerySet):
    def open(self) -> "LedgerEntryQuerySet":
        from zhunru.cases.models import LedgerEntry

        return self.filter(status__in=LedgerEntry.OPEN_STATUSES)

    def overdue(self, today: datetime.date) -> "LedgerEntryQuerySet":
        """Open entries whose rectification deadline has passed."""
        return self.open().filter(deadline__lt=today)

    def visible_to(self, user) -> "LedgerEntryQuerySet":
        """A department sees the entries it recorded or must rectify; coordinators see their jurisdictions'."""
        from zhunru.scoping import visible_departments

        departments = visible_departments(user)
        return self.filter(Q(department__in=departments) | Q(responsible_unit__in=departments)).distinct()
