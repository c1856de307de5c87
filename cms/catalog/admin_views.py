"""Admin views of the negative list: import, edition diff (with export), activation, hidden-barrier
screening with highlights, service item review and document versions, rating statistics."""

import datetime
import tempfile
from pathlib import Path

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Avg, Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from wagtail.models import Page

from zhunru.audit.jurisdictions import page_jurisdiction_id
from zhunru.audit.recording import record
from zhunru.catalog import documents
from zhunru.catalog.diff import diff_editions
from zhunru.catalog.importers import ImportError_, import_edition
from zhunru.catalog.models import ListEdition, ServiceDocumentVersion, ServiceItem, ServiceRating
from zhunru.catalog.screening import screen_text
from zhunru.exports import FORMATS, table_response
from zhunru.scoping import user_jurisdictions, visible_departments

IMPORT_MAX_BYTES = 20 * 1024 * 1024
DIFF_HEADER = [gettext_lazy("变化"), gettext_lazy("原事项编码"), gettext_lazy("新事项编码"), gettext_lazy("事项名称"), gettext_lazy("说明")]


def _require(request, perm: str, message: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied(message)


def _render(request, template: str, title: str, **context):
    return TemplateResponse(
        request,
        f"zhunru_catalog/admin/{template}",
        {"page_title": title, "header_title": title, **context},
    )


# --- Import ------------------------------------------------------------------------------------


class ImportForm(forms.Form):
    edition = forms.CharField(
        label=gettext_lazy("版本名称"),
        max_length=40,
        help_text=gettext_lazy(
            "如“2025年版”。同名的未启用版本按事项编码更新；现行版本和已启用过的版本不能通过导入修改，"
            "请以新版本名称导入，核对差异后启用。"
        ),
    )
    effective_date = forms.DateField(label=gettext_lazy("施行日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    file = forms.FileField(label=gettext_lazy("清单文件"), help_text=gettext_lazy("CSV（UTF-8）、XLSX 或 JSON，列名见说明。"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > IMPORT_MAX_BYTES:
            raise ValidationError(_("文件超过 {value} MB 的上限。").format(value=IMPORT_MAX_BYTES // 1048576))
        if Path(upload.name).suffix.lower() not in (".csv", ".xlsx", ".json"):
            raise ValidationError(_("仅支持 CSV、XLSX、JSON 文件。"))
        return upload


@require_http_methods(["GET", "POST"])
def edition_import(request):
    _require(request, "zhunru_catalog.add_listedition", _("只有发改委协调员可以导入负面清单。"))
    form = ImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        with tempfile.NamedTemporaryFile(suffix=suffix) as tmp:
            for chunk in upload.chunks():
                tmp.write(chunk)
            tmp.flush()
            try:
                result = import_edition(tmp.name, form.cleaned_data["edition"], by=request.user)
            except ImportError_ as exc:
                errors = exc.errors
            else:
                edition = ListEdition.objects.get(name=form.cleaned_data["edition"])
                if form.cleaned_data["effective_date"]:
                    edition.effective_date = form.cleaned_data["effective_date"]
                    edition.save(update_fields=["effective_date"])
                record(
                    "catalog.edition_imported",
                    obj=edition,
                    request=request,
                    changes={
                        "file": upload.name,
                        "created": result.created,
                        "updated": result.updated,
                        "unchanged": result.unchanged,
                        "removed": result.removed,
                    },
                )
                messages.success(
                    request,
                    _("已导入{name}：新增 {created} 项，更新 {updated} 项，"
                    "未变 {unchanged} 项，删除 {removed} 项。").format(name=edition.name, created=result.created, updated=result.updated, unchanged=result.unchanged, removed=result.removed),
                )
                return redirect("zhunru_catalog_edition_diff", pk=edition.pk)
    return _render(request, "import.html", _("导入负面清单"), form=form, errors=errors)


# --- Diff and activation -----------------------------------------------------------------------


def _default_base(edition: ListEdition) -> ListEdition | None:
    others = ListEdition.objects.exclude(pk=edition.pk)
    return others.filter(is_active=True).first() or others.filter(name__lt=edition.name).order_by("-name").first()


def edition_diff(request, pk: int):
    _require(request, "zhunru_catalog.view_listedition", _("无权查看负面清单版本。"))
    edition = get_object_or_404(ListEdition, pk=pk)
    against_pk = request.GET.get("against")
    base = (
        get_object_or_404(ListEdition.objects.exclude(pk=pk), pk=against_pk)
        if against_pk and against_pk.isdigit()
        else _default_base(edition)
    )
    result = diff_editions(base, edition) if base else None
    fmt = request.GET.get("format")
    if result is not None and fmt in FORMATS:
        record(
            "catalog.diff_exported",
            obj=edition,
            request=request,
            note=_("导出{name}与{name2}的版本差异（{fmt}）").format(name=base.name, name2=edition.name, fmt=fmt),
        )
        return table_response(DIFF_HEADER, result.rows(), _("负面清单版本差异-{name}-{name2}").format(name=base.name, name2=edition.name), fmt)
    return _render(
        request,
        "diff.html",
        _("{name}版本差异").format(name=edition.name),
        edition=edition,
        base=base,
        result=result,
        editions=ListEdition.objects.exclude(pk=pk),
    )


def _activation_impact(edition: ListEdition):
    current = ListEdition.objects.filter(is_active=True).exclude(pk=edition.pk).first()
    if current is None:
        return None, None, [], []
    result = diff_editions(current, edition)
    from zhunru.catalog.models import ListItem

    # 单外无单: an item that is 禁止准入类 in the new edition suspends its service items like a removed one
    to_prohibited = [e.old for e in [*result.changed, *result.unchanged] if e.new.kind == ListItem.PROHIBITED]
    suspended = ServiceItem.objects.filter(list_items__in=[e.old for e in result.removed] + to_prohibited).distinct()
    flagged = (ServiceItem.objects.filter(list_items__in=[e.old for e in result.changed]).exclude(
        pk__in=suspended.values("pk")).distinct())
    return current, result, list(suspended.select_related("department")), list(flagged.select_related("department"))


@require_http_methods(["GET", "POST"])
def edition_activate(request, pk: int):
    _require(request, "zhunru_catalog.change_listedition", _("只有发改委协调员可以启用负面清单版本。"))
    edition = get_object_or_404(ListEdition, pk=pk)
    if edition.is_active:
        messages.info(request, _("{name}已是现行版本。").format(name=edition.name))
        return redirect("wagtailsnippets_zhunru_catalog_listedition:list")
    if request.method == "POST":
        try:
            flagged = edition.activate(by=request.user)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
            return redirect("zhunru_catalog_edition_diff", pk=edition.pk)
        messages.success(
            request,
            _("已启用{name}；{count} 个政务服务事项已标记待复核，依据被删除的事项已停止受理。").format(name=edition.name, count=len(set(flagged))),
        )
        return redirect(reverse("wagtailsnippets_zhunru_catalog_serviceitem:list") + "?needs_review=true")
    current, result, suspended, flagged = _activation_impact(edition)
    return _render(
        request,
        "activate.html",
        _("启用{name}").format(name=edition.name),
        edition=edition,
        current=current,
        result=result,
        suspended=suspended,
        flagged=flagged,
    )


# --- Hidden-barrier screening ------------------------------------------------------------------


def highlight(text: str, matches) -> str:
    """``text`` as HTML with each match in a <mark> titled with its rule (overlaps merged into the first)."""
    parts, cursor = [], 0
    for m in matches:
        if m.start < cursor:
            continue
        parts.append(escape(text[cursor : m.start]))
        parts.append(
            f'<mark title="{escape(m.rule.get_category_display())}：{escape(m.rule.explanation)}">'
            f"{escape(text[m.start : m.end])}</mark>"
        )
        cursor = m.end
    parts.append(escape(text[cursor:]))
    return mark_safe("".join(parts).replace("\n", "<br>"))


def _screen(request, text: str, title: str, subject: str, back_url: str = "", jurisdictions=None):
    """Screen with the national rules and those of ``jurisdictions`` (the text's own; by default the user's)."""
    if jurisdictions is None:
        jurisdictions = user_jurisdictions(request.user)
    matches = screen_text(text, jurisdictions=jurisdictions)
    return _render(
        request,
        "screen.html",
        title,
        subject=subject,
        matches=matches,
        highlighted=highlight(text, matches),
        back_url=back_url,
        text=text,
        text_length=len(text),
    )


def _plain(html: str) -> str:
    text = html.replace("</p>", "</p>\n").replace("<br/>", "\n").replace("<br>", "\n")
    return "\n".join(line.strip() for line in strip_tags(text).splitlines() if line.strip())


def screen_page(request, page_id: int):
    page = get_object_or_404(Page, pk=page_id).specific
    if not page.permissions_for_user(request.user).can_edit():
        raise PermissionDenied(_("无权筛查该页面。"))
    parts = [getattr(page, "title", "")]
    for field in ("summary", "body"):
        value = getattr(page, field, "")
        if value:
            parts.append(_plain(str(value)))
    record("catalog.screened", obj=page, request=request, note=_("隐性壁垒筛查（政策文件）"))
    return _screen(
        request,
        "\n".join(parts),
        _("隐性壁垒筛查：{title}").format(title=page.title),
        page.title,
        reverse("wagtailadmin_pages:edit", args=[page.pk]),
        jurisdictions=[j for j in [page_jurisdiction_id(page)] if j is not None],
    )


def _service_for(request, pk: int, *, change: bool = False) -> ServiceItem:
    service = get_object_or_404(
        ServiceItem.objects.filter(department__in=visible_departments(request.user)).select_related("department"),
        pk=pk,
    )
    if change and not request.user.has_perm("zhunru_catalog.change_serviceitem"):
        raise PermissionDenied(_("无权修改政务服务事项。"))
    return service


def service_text(service: ServiceItem) -> str:
    parts = [
        _("受理条件：{conditions}").format(conditions=service.conditions) if service.conditions else "",
        _("办理要件：{materials}").format(materials=service.materials) if service.materials else "",
        _("审批流程：{process}").format(process=service.process) if service.process else "",
    ]
    for doc in service.documents.all():
        if doc.body:
            parts.append(_("{get_kind_display}第{version}版：{body}").format(get_kind_display=doc.get_kind_display(), version=doc.version, body=doc.body))
    return "\n".join(p for p in parts if p)


def screen_service(request, pk: int):
    service = _service_for(request, pk)
    record("catalog.screened", obj=service, request=request, department=service.department,
           note=_("隐性壁垒筛查（政务服务事项）"))
    return _screen(
        request,
        service_text(service),
        _("隐性壁垒筛查：{name}").format(name=service.name),
        service.name,
        reverse("wagtailsnippets_zhunru_catalog_serviceitem:edit", args=[service.pk]),
        jurisdictions=[service.department.jurisdiction_id],
    )


class ScreenForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("待筛查文本"), widget=forms.Textarea(attrs={"rows": 10}), max_length=200_000)


@require_http_methods(["GET", "POST"])
def screen_free_text(request):
    form = ScreenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        return _screen(request, form.cleaned_data["text"], _("隐性壁垒筛查结果"), _("粘贴的文本"), reverse("zhunru_catalog_screen"))
    return _render(request, "screen_form.html", _("隐性壁垒筛查"), form=form)


# --- Service items: review after an edition change, guide and model-text versions --------------


@require_http_methods(["GET", "POST"])
def service_review(request, pk: int):
    service = _service_for(request, pk, change=True)
    decisions = ServiceItem.REVIEW_DECISIONS
    if request.method == "POST":
        decision = request.POST.get("decision", "")
        try:
            service.review(decision, request.POST.get("note", ""), by=request.user, request=request)
        except ValueError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已记录复核结论：{value}。").format(value=decisions[decision]))
            return redirect("wagtailsnippets_zhunru_catalog_serviceitem:list")
    return _render(request, "review.html", _("复核：{name}").format(name=service.name), service=service, decisions=decisions.items())


class DocumentVersionForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("类型"), choices=ServiceDocumentVersion.KIND_CHOICES)
    effective_date = forms.DateField(label=gettext_lazy("生效日期"), widget=forms.DateInput(attrs={"type": "date"}))
    change_note = forms.CharField(label=gettext_lazy("修改说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    body = forms.CharField(label=gettext_lazy("正文"), widget=forms.Textarea(attrs={"rows": 6}), required=False)
    file = forms.FileField(label=gettext_lazy("文件"), required=False, help_text=gettext_lazy("PDF 或 Office 文档，按内容校验类型和大小。"))
    publish = forms.BooleanField(label=gettext_lazy("立即发布"), required=False)

    def clean(self):
        data = super().clean()
        if not data.get("body") and not data.get("file"):
            raise ValidationError(_("请填写正文或上传文件。"))
        return data


@require_http_methods(["GET", "POST"])
def service_documents(request, pk: int):
    service = _service_for(request, pk)
    can_change = request.user.has_perm("zhunru_catalog.change_serviceitem")
    form = DocumentVersionForm(request.POST or None, request.FILES or None, initial={
        "effective_date": datetime.date.today()
    })
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied(_("无权修改政务服务事项。"))
        toggle = request.POST.get("toggle")
        if toggle:
            doc = get_object_or_404(service.documents, pk=toggle)
            doc.published = not doc.published
            doc.save(update_fields=["published"])
            record(
                "catalog.document_version_published" if doc.published else "catalog.document_version_unpublished",
                obj=doc,
                request=request,
                department=service.department,
            )
            messages.success(request, _("{doc}已{value}。").format(doc=doc, value=_('发布') if doc.published else _('撤回')))
            return redirect("zhunru_catalog_service_documents", pk=service.pk)
        if form.is_valid():
            try:
                doc = documents.add_version(
                    service,
                    form.cleaned_data["kind"],
                    effective_date=form.cleaned_data["effective_date"],
                    change_note=form.cleaned_data["change_note"],
                    body=form.cleaned_data["body"],
                    upload=form.cleaned_data["file"],
                    user=request.user,
                    publish=form.cleaned_data["publish"],
                )
            except ValidationError as exc:
                form.add_error("file", exc)
            else:
                messages.success(request, _("已新增{doc}。").format(doc=doc))
                return redirect("zhunru_catalog_service_documents", pk=service.pk)
    return _render(
        request,
        "documents.html",
        _("办事指南与示范文本：{name}").format(name=service.name),
        service=service,
        versions=service.documents.select_related("attachment"),
        form=form,
        can_change=can_change,
    )


# --- Ratings ------------------------------------------------------------------------------------


STATS_HEADER = [gettext_lazy("部门"), gettext_lazy("政务服务事项"), gettext_lazy("评价数"), gettext_lazy("平均等级"), gettext_lazy("非常满意/满意"), gettext_lazy("不满意/非常不满意"), gettext_lazy("待答复差评")]


def rating_statistics(request):
    _require(request, "zhunru_catalog.view_serviceitem", _("无权查看好差评统计。"))
    services = ServiceItem.objects.filter(department__in=visible_departments(request.user))
    rows = (
        ServiceRating.objects.filter(service_item__in=services)
        .values("service_item__department__name", "service_item__name")
        .annotate(
            count=Count("id"),
            average=Avg("level"),
            satisfied=Count("id", filter=Q(level__gte=4)),
            unsatisfied=Count("id", filter=Q(level__lte=2)),
            open_follow_ups=Count("id", filter=Q(follow_up__isnull=False, follow_up__answered_at__isnull=True)),
        )
        .order_by("service_item__department__name", "service_item__name")
    )
    table = [
        [
            r["service_item__department__name"],
            r["service_item__name"],
            r["count"],
            f"{r['average']:.2f}",
            r["satisfied"],
            r["unsatisfied"],
            r["open_follow_ups"],
        ]
        for r in rows
    ]
    fmt = request.GET.get("format")
    if fmt in FORMATS:
        record("catalog.rating_statistics_exported", request=request, object_type=_("好差评统计"),
               note=_("导出好差评统计（{fmt}）").format(fmt=fmt))
        return table_response(STATS_HEADER, table, _("好差评统计"), fmt)
    return _render(request, "statistics.html", _("好差评统计"), header=STATS_HEADER, table=table)
