"""Administrator-entered holiday years: the State Council's annual notice as date ranges."""

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel

from zhunru.clock import format_date


class HolidayYear(ClusterableModel):
    """A year whose holiday notice an administrator entered; entering it makes the year known."""

    year = models.PositiveIntegerField(gettext_lazy("年份"), unique=True)
    notice = models.CharField(gettext_lazy("依据通知"), max_length=200, blank=True, help_text=gettext_lazy("如“国务院办公厅关于2027年部分节假日安排的通知”。"))
    notice_url = models.URLField(gettext_lazy("通知网址"), blank=True)
    note = models.TextField(gettext_lazy("备注"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=gettext_lazy("录入人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(gettext_lazy("更新时间"), auto_now=True)

    panels = [
        FieldRowPanel([FieldPanel("year"), FieldPanel("notice")]),
        FieldPanel("notice_url"),
        InlinePanel("ranges", heading=gettext_lazy("放假与调休上班日期段"), label=gettext_lazy("日期段"), min_num=0),
        FieldPanel("note"),
    ]

    class Meta:
        verbose_name = gettext_lazy("节假日年度安排")
        verbose_name_plural = gettext_lazy("节假日年度安排")
        ordering = ["-year"]

    def __str__(self) -> str:
        return _("{year}年节假日安排").format(year=self.year)


class CalendarRange(models.Model):
    """Consecutive days that are holidays (放假) or make-up working days (调休上班); overrides the package."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", gettext_lazy("放假（休息日）")
        WORKDAY = "workday", gettext_lazy("调休上班（工作日）")

    holiday_year = ParentalKey(HolidayYear, verbose_name=gettext_lazy("年度"), on_delete=models.CASCADE, related_name="ranges")
    kind = models.CharField(gettext_lazy("类型"), max_length=10, choices=Kind.choices, default=Kind.HOLIDAY)
    name = models.CharField(gettext_lazy("名称"), max_length=50, help_text=gettext_lazy("如“春节”“国庆节”。"))
    start = models.DateField(gettext_lazy("起始日"))
    end = models.DateField(gettext_lazy("截止日"), help_text=gettext_lazy("含当日；单日填同一天。"))

    panels = [FieldRowPanel([FieldPanel("kind"), FieldPanel("name"), FieldPanel("start"), FieldPanel("end")])]

    class Meta:
        verbose_name = gettext_lazy("节假日/调休日期段")
        verbose_name_plural = gettext_lazy("节假日/调休日期段")
        ordering = ["start"]

    def __str__(self) -> str:
        return f"{self.name} {self.get_kind_display()} {format_date(self.start)}～{format_date(self.end)}"

    def clean(self) -> None:
        if self.start and self.end:
            if self.end < self.start:
                raise ValidationError({"end": _("截止日不能早于起始日。")})
            if (self.end - self.start).days > 31:
                raise ValidationError({"end": _("一个日期段不应超过 31 天，请检查日期。")})
            try:
                year = self.holiday_year.year
            except ObjectDoesNotExist:
                year = None
            if year and year not in (self.start.year, self.end.year):
                raise ValidationError({"start": _("日期段须落在 {year} 年内（跨年假期可跨越年初或年末）。").format(year=year)})
