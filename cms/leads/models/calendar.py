"""Administrator-entered holiday years: the State Council's annual notice as date ranges."""

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel

from zhunru.clock import format_date


class HolidayYear(ClusterableModel):
    """A year whose holiday notice an administrator entered; entering it makes the year known."""

    year = models.PositiveIntegerField("年份", unique=True)
    notice = models.CharField("依据通知", max_length=200, blank=True, help_text="如“国务院办公厅关于2027年部分节假日安排的通知”。")
    notice_url = models.URLField("通知网址", blank=True)
    note = models.TextField("备注", blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    panels = [
        FieldRowPanel([FieldPanel("year"), FieldPanel("notice")]),
        FieldPanel("notice_url"),
        InlinePanel("ranges", heading="放假与调休上班日期段", label="日期段", min_num=0),
        FieldPanel("note"),
    ]

    class Meta:
        verbose_name = "节假日年度安排"
        verbose_name_plural = "节假日年度安排"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}年节假日安排"


class CalendarRange(models.Model):
    """Consecutive days that are holidays (放假) or make-up working days (调休上班); overrides the package."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "放假（休息日）"
        WORKDAY = "workday", "调休上班（工作日）"

    holiday_year = ParentalKey(HolidayYear, verbose_name="年度", on_delete=models.CASCADE, related_name="ranges")
    kind = models.CharField("类型", max_length=10, choices=Kind.choices, default=Kind.HOLIDAY)
    name = models.CharField("名称", max_length=50, help_text="如“春节”“国庆节”。")
    start = models.DateField("起始日")
    end = models.DateField("截止日", help_text="含当日；单日填同一天。")

    panels = [FieldRowPanel([FieldPanel("kind"), FieldPanel("name"), FieldPanel("start"), FieldPanel("end")])]

    class Meta:
        verbose_name = "节假日/调休日期段"
        verbose_name_plural = "节假日/调休日期段"
        ordering = ["start"]

    def __str__(self) -> str:
        return f"{self.name} {self.get_kind_display()} {format_date(self.start)}～{format_date(self.end)}"

    def clean(self) -> None:
        if self.start and self.end:
            if self.end < self.start:
                raise ValidationError({"end": "截止日不能早于起始日。"})
            if (self.end - self.start).days > 31:
                raise ValidationError({"end": "一个日期段不应超过 31 天，请检查日期。"})
            try:
                year = self.holiday_year.year
            except ObjectDoesNotExist:
                year = None
            if year and year not in (self.start.year, self.end.year):
                raise ValidationError({"start": f"日期段须落在 {year} 年内（跨年假期可跨越年初或年末）。"})
