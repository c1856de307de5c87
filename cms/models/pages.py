"""Wagtail page types of the core: the installation's index, each jurisdiction's home, policy documents."""

from django.db import models
from django.utils.translation import gettext_lazy
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from zhunru.scoped_forms import ScopedPageForm


class PortalIndexPage(Page):
    """Root of the installation: lists the jurisdictions it serves."""

    intro = RichTextField(gettext_lazy("简介"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = ["zhunru_cms.JurisdictionHomePage"]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1
    api_fields = [APIField("intro")]

    class Meta:
        verbose_name = gettext_lazy("平台首页")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["jurisdiction_homes"] = JurisdictionHomePage.objects.child_of(self).live().specific()
        return context


class JurisdictionHomePage(Page):
    """A jurisdiction's portal home; the root page of that jurisdiction's Wagtail Site."""

    jurisdiction = models.OneToOneField(
        "zhunru_cms.Jurisdiction", verbose_name=gettext_lazy("辖区"), on_delete=models.PROTECT, related_name="home_page"
    )
    intro = RichTextField(gettext_lazy("简介"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("jurisdiction"), FieldPanel("intro")]
    parent_page_types = ["zhunru_cms.PortalIndexPage", "wagtailcore.Page"]
    api_fields = [APIField("jurisdiction_name"), APIField("intro")]

    class Meta:
        verbose_name = gettext_lazy("辖区门户首页")

    @property
    def jurisdiction_name(self) -> str:
        return self.jurisdiction.name

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["latest_policies"] = (
            PolicyPage.objects.live().descendant_of(self).order_by("-issue_date").specific()[:10]
        )
        return context


class PolicyIndexPage(Page):
    """Lists a jurisdiction's policies and interpretations."""

    intro = RichTextField(gettext_lazy("简介"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["zhunru_cms.JurisdictionHomePage"]
    subpage_types = ["zhunru_cms.PolicyPage"]
    api_fields = [APIField("intro")]

    class Meta:
        verbose_name = gettext_lazy("政策文件栏目")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["policies"] = PolicyPage.objects.live().child_of(self).order_by("-issue_date").specific()
        return context


class PolicyPage(Page):
    """A policy document or interpretation, with issuer, document number and issue date."""

    class Kind(models.TextChoices):
        POLICY = "policy", gettext_lazy("政策文件")
        INTERPRETATION = "interpretation", gettext_lazy("政策解读")
        NOTICE = "notice", gettext_lazy("通知公告")

    kind = models.CharField(gettext_lazy("类别"), max_length=20, choices=Kind.choices, default=Kind.POLICY)
    issuer = models.CharField(gettext_lazy("发文机关"), max_length=100)
    document_number = models.CharField(gettext_lazy("文号"), max_length=100, blank=True)
    issue_date = models.DateField(gettext_lazy("发布日期"), null=True, blank=True, help_text=gettext_lazy("原文未注明日期时留空。"))
    department = models.ForeignKey(
        "zhunru_cms.Department",
        verbose_name=gettext_lazy("发布部门"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    summary = models.TextField(gettext_lazy("摘要"), blank=True)
    body = RichTextField(gettext_lazy("正文"))

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [
                FieldPanel("kind"),
                FieldPanel("issuer"),
                FieldPanel("document_number"),
                FieldPanel("issue_date"),
                FieldPanel("department"),
            ],
            heading=gettext_lazy("公文要素"),
        ),
        FieldPanel("summary"),
        FieldPanel("body"),
    ]
    parent_page_types = ["zhunru_cms.PolicyIndexPage"]
    subpage_types: list[str] = []
    base_form_class = ScopedPageForm
    search_fields = Page.search_fields + [
        index.FilterField("issue_date"),
        index.SearchField("document_number"),
    ]
    api_fields = [
        APIField("kind"),
        APIField("issuer"),
        APIField("document_number"),
        APIField("issue_date"),
        APIField("summary"),
        APIField("body"),
    ]

    class Meta:
        verbose_name = gettext_lazy("政策文件")
        verbose_name_plural = gettext_lazy("政策文件")
