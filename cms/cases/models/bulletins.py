"""Typical-case bulletins (section 八): Wagtail pages presenting cases chosen from the register."""

from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page, PagePermissionTester
from wagtail.search import index


class BulletinIndexPage(Page):
    """A jurisdiction's list of typical-case bulletins; the publishing workflow is attached here."""

    intro = RichTextField(gettext_lazy("简介"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["zhunru_cms.JurisdictionHomePage"]
    subpage_types = ["zhunru_cases.BulletinPage"]
    api_fields = [APIField("intro")]

    class Meta:
        verbose_name = gettext_lazy("典型案例通报栏目")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["bulletins"] = BulletinPage.objects.live().child_of(self).order_by("-issue_date", "-pk")
        return context


class BulletinPermissionTester(PagePermissionTester):
    """A bulletin is published only by finishing its workflow, after the legal review approved it."""

    def can_publish(self):
        from zhunru.cases.workflow import legal_review_approved

        return super().can_publish() and legal_review_approved(self.page)


class BulletinPage(RoutablePageMixin, Page):
    """A bulletin of typical cases with its document number, issuing office and date."""

    document_number = models.CharField(gettext_lazy("文号"), max_length=100, help_text=gettext_lazy("如“昌发改〔2026〕12号”。"))
    issuing_office = models.CharField(gettext_lazy("发文机关"), max_length=100)
    issue_date = models.DateField(gettext_lazy("印发日期"))
    intro = RichTextField(gettext_lazy("导语"), blank=True)
    closing = RichTextField(gettext_lazy("工作要求"), blank=True, help_text=gettext_lazy("通报后的整改与警示要求。"))

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [FieldPanel("document_number"), FieldPanel("issuing_office"), FieldPanel("issue_date")],
            heading=gettext_lazy("公文要素"),
        ),
        FieldPanel("intro"),
        InlinePanel("bulletin_cases", label=gettext_lazy("通报案例"), min_num=1, heading=gettext_lazy("通报案例（从案例登记簿中选择）")),
        FieldPanel("closing"),
    ]
    parent_page_types = ["zhunru_cases.BulletinIndexPage"]
    subpage_types: list[str] = []
    search_fields = Page.search_fields + [
        index.SearchField("document_number"),
        index.SearchField("issuing_office"),
        index.FilterField("issue_date"),
    ]
    api_fields = [
        APIField("document_number"),
        APIField("issuing_office"),
        APIField("issue_date"),
        APIField("intro"),
        APIField("closing"),
        APIField("public_cases"),
    ]

    class Meta:
        verbose_name = gettext_lazy("典型案例通报")
        verbose_name_plural = gettext_lazy("典型案例通报")

    def permissions_for_user(self, user):
        return BulletinPermissionTester(user, self)

    @property
    def cases(self) -> list:
        return [link.case for link in self.bulletin_cases.select_related("case", "case__jurisdiction")]

    @property
    def public_cases(self) -> list[dict]:
        """The presented cases with only their public fields, plus the bulletin's comment on each."""
        rows = []
        for link in self.bulletin_cases.select_related("case", "case__jurisdiction"):
            data = link.case.public_data()
            data["commentary"] = link.commentary
            data["id"] = link.case_id  # the page's anchor case-<id>, which search hits link to
            rows.append(data)
        return rows

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["public_cases"] = self.public_cases
        return context

    @path("pdf/", name="pdf")
    def pdf(self, request):
        """The bulletin as a printable official document (red header, number, office, date)."""
        from zhunru.cases.exports import bulletin_pdf

        response = HttpResponse(bulletin_pdf(self), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="bulletin-{self.pk}.pdf"'
        return response


class BulletinCase(Orderable):
    """One case of the register presented in a bulletin (chosen, not retyped)."""

    page = ParentalKey(BulletinPage, on_delete=models.CASCADE, related_name="bulletin_cases")
    case = models.ForeignKey(
        "zhunru_cases.Case", verbose_name=gettext_lazy("案例"), on_delete=models.PROTECT, related_name="bulletin_links"
    )
    commentary = models.TextField(gettext_lazy("案例点评"), blank=True, help_text=gettext_lazy("公开显示。"))

    panels = [FieldPanel("case"), FieldPanel("commentary")]

    class Meta(Orderable.Meta):
        verbose_name = gettext_lazy("通报案例")
        verbose_name_plural = gettext_lazy("通报案例")

    def __str__(self) -> str:
        return str(self.case)

    def clean(self) -> None:
        from zhunru.cases.models import REGISTERED_STATUSES

        if self.case_id and self.case.status not in REGISTERED_STATUSES:
            raise ValidationError({"case": _("只能通报已登记的案例，请先在案例登记簿中登记。")})
