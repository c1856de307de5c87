"""A jurisdiction's own holiday-calendar adjustments (辖区节假日调整): a local rest day or working day on top of
the State Council's notice, for that jurisdiction's deadlines only (issue 19, settings per jurisdiction)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhunru.clock import format_date


class LocalCalendarDayQuerySet(models.QuerySet):
    def visible_to(self, user) -> "LocalCalendarDayQuerySet":
        """A jurisdiction's adjustments to those who see the whole jurisdiction (its coordinators change them)."""
        from zhunru.scoping import scoped

        return scoped(self, user)

    def editable_by(self, user) -> "LocalCalendarDayQuerySet":
        """Only the coordinators of the jurisdiction (never its auditor) and superusers change its days."""
        from zhunru.jurisdiction_settings import settings_jurisdictions

        if user.is_authenticated and user.is_superuser:
            return self
        return self.filter(jurisdiction__in=settings_jurisdictions(user))

    def by_jurisdiction(self) -> dict[int, dict[datetime.date, tuple[bool, str]]]:
        """{jurisdiction id: {day: (working, reason)}} for the deadline arithmetic (plain values, no models)."""
        days: dict[int, dict[datetime.date, tuple[bool, str]]] = {}
        for jurisdiction_id, day, kind, name in self.order_by("jurisdiction_id", "day").values_list(
                "jurisdiction_id", "day", "kind", "name"):
            if kind == LocalCalendarDay.Kind.WORKDAY:
                status = (True, _("本辖区调休上班（{name}）").format(name=name))
            else:
                status = (False, _("本辖区休息日（{name}）").format(name=name))
            days.setdefault(jurisdiction_id, {})[day] = status
        return days


class LocalCalendarDay(models.Model):
    """One day a jurisdiction rests or works unlike the national calendar (a local festival, a local make-up
    working day). It moves only that jurisdiction's deadlines; the national calendar stays as it is."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", gettext_lazy("本辖区休息日")
        WORKDAY = "workday", gettext_lazy("本辖区工作日")

    jurisdiction = models.ForeignKey("zhunru_cms.Jurisdiction", verbose_name=gettext_lazy("辖区"),
                                     on_delete=models.CASCADE, related_name="calendar_days")
    day = models.DateField(gettext_lazy("日期"))
    kind = models.CharField(gettext_lazy("类型"), max_length=10, choices=Kind.choices, default=Kind.HOLIDAY)
    name = models.CharField(gettext_lazy("名称"), max_length=50, help_text=gettext_lazy("如“本地传统节日”“本地调休”。"))
    basis = models.CharField(gettext_lazy("依据"), max_length=200, blank=True,
                             help_text=gettext_lazy("如本级人民政府的放假通知文号。"))

    objects = LocalCalendarDayQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("辖区节假日调整")
        verbose_name_plural = gettext_lazy("辖区节假日调整")
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["jurisdiction", "day"], name="zhunru_local_day_once")]

    def __str__(self) -> str:
        return f"{format_date(self.day)} {self.get_kind_display()}（{self.name}）"

    def clean(self) -> None:
        """A day of a year whose national holidays nobody has entered is refused: the local adjustment would be
        laid on an unknown year (enter the year under 节假日安排 first)."""
        from zhunru.leads.calendar import EARLIEST_START, LATEST_START, package_years
        from zhunru.leads.models.calendar import HolidayYear

        if self.day is None:
            return
        if not EARLIEST_START <= self.day <= LATEST_START:
            raise ValidationError({"day": _("日期应在 {first}至 {last}之间。").format(
                first=format_date(EARLIEST_START), last=format_date(LATEST_START))})
        first, last = package_years()
        if not first <= self.day.year <= last and not HolidayYear.objects.filter(year=self.day.year).exists():
            raise ValidationError({"day": _(
                "{year}年的全国节假日安排尚未录入，不能设置本辖区调整：请先在“节假日安排”中录入该年度安排。"
            ).format(year=self.day.year)})
        if self.jurisdiction_id and LocalCalendarDay.objects.filter(
                jurisdiction_id=self.jurisdiction_id, day=self.day).exclude(pk=self.pk).exists():
            raise ValidationError({"day": _("本辖区已设置了这一天。")})
