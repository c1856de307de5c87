"""Per-jurisdiction deadline rules; the "0137" rule is the default."""

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhunru.leads import conf

UNIT_CHOICES = [("working", gettext_lazy("工作日")), ("calendar", gettext_lazy("自然日"))]


class DeadlineRuleQuerySet(models.QuerySet):
    def visible_to(self, user) -> "DeadlineRuleQuerySet":
        """A jurisdiction's rule to those who see the whole jurisdiction (its coordinators edit it)."""
        from zhunru.scoping import scoped

        return scoped(self, user)


class DeadlineRule(models.Model):
    """Stage limits of one jurisdiction (section 十二); without a row the "0137" defaults apply."""

    jurisdiction = models.OneToOneField(
        "zhunru_cms.Jurisdiction", verbose_name=gettext_lazy("辖区"), on_delete=models.CASCADE, related_name="lead_deadline_rule"
    )
    transfer_amount = models.PositiveIntegerField(gettext_lazy("移交时限"), default=1, validators=[MinValueValidator(1)])
    transfer_unit = models.CharField(gettext_lazy("移交时限单位"), max_length=10, choices=UNIT_CHOICES, default="working")
    verify_amount = models.PositiveIntegerField(gettext_lazy("核查时限"), default=3, validators=[MinValueValidator(1)])
    verify_unit = models.CharField(gettext_lazy("核查时限单位"), max_length=10, choices=UNIT_CHOICES, default="working")
    rectify_amount = models.PositiveIntegerField(gettext_lazy("整改时限"), default=7, validators=[MinValueValidator(1)])
    rectify_unit = models.CharField(gettext_lazy("整改时限单位"), max_length=10, choices=UNIT_CHOICES, default="calendar")
    escalate_after = models.PositiveIntegerField(
        gettext_lazy("逾期升级（工作日）"), default=2, help_text=gettext_lazy("逾期超过该工作日数即督办升级：报告政府并起草通报。")
    )

    objects = DeadlineRuleQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("线索时限规则")
        verbose_name_plural = gettext_lazy("线索时限规则")

    def __str__(self) -> str:
        return _("{jurisdiction} 时限规则（{transfer_amount}/{verify_amount}/{rectify_amount}）").format(jurisdiction=self.jurisdiction, transfer_amount=self.transfer_amount, verify_amount=self.verify_amount, rectify_amount=self.rectify_amount)

    @classmethod
    def limits_for(cls, jurisdiction) -> dict[str, tuple[int, str]]:
        """(amount, unit) per stage kind, plus ``escalate`` working days."""
        rule = cls.objects.filter(jurisdiction=jurisdiction).first() if jurisdiction is not None else None
        if rule is None:
            return {
                "transfer": tuple(conf.get("TRANSFER_LIMIT")),
                "verify": tuple(conf.get("VERIFY_LIMIT")),
                "rectify": tuple(conf.get("RECTIFY_LIMIT")),
                "escalate": (conf.get("ESCALATE_AFTER_WORKING_DAYS"), "working"),
            }
        return {
            "transfer": (rule.transfer_amount, rule.transfer_unit),
            "verify": (rule.verify_amount, rule.verify_unit),
            "rectify": (rule.rectify_amount, rule.rectify_unit),
            "escalate": (rule.escalate_after, "working"),
        }
