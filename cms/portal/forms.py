"""Portal forms: complaint, status lookup. Every message in Chinese; bad input loses nothing typed."""

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhunru.portal import conf
from zhunru.portal.models import RECEIPT_ALPHABET, RECEIPT_LENGTH, normalize_receipt_code
from zhunru.text import strip_edges, visible_length
from zhunru.uploads import check_upload

CONSENT_TEXT = gettext_lazy(
    "我确认所反映情况真实，并同意相关部门为核查处理本问题使用所填信息。"
    "联系方式仅供工作人员联系核实，严格保密，不会公开。"
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(f, initial) for f in files if f]


class VisibleCharField(forms.CharField):
    """A text field that counts only what shows on screen (``zhunru.text``): whitespace and invisible
    characters (zero-width space, joiners, BOM ...) at either end are dropped, so a value of nothing else is
    empty and gets the field's "required" message; what is between stays as typed."""

    def to_python(self, value):
        value = super().to_python(value)
        return strip_edges(value) if value not in self.empty_values else value


def _describe_by_help(form: forms.Form) -> None:
    """Tie each input to its help text (``<p id="id_<name>_help">`` in the field template) for screen readers."""
    for name, field in form.fields.items():
        if field.help_text:
            field.widget.attrs["aria-describedby"] = f"id_{name}_help"


class ComplaintForm(forms.Form):
    submission_token = forms.UUIDField(widget=forms.HiddenInput)
    description = VisibleCharField(
        label=gettext_lazy("反映的问题"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("请说明发生了什么、时间和地点，以及您认为不符合市场准入规定之处。"),
        error_messages={"required": gettext_lazy("请描述您反映的问题。"), "max_length": gettext_lazy("问题描述请控制在 5000 字以内。")},
    )
    organization = VisibleCharField(
        label=gettext_lazy("涉及单位"),
        max_length=200,
        help_text=gettext_lazy("如某部门、乡镇、行业协会或企业的名称。"),
        error_messages={"required": gettext_lazy("请填写涉及的单位。"), "max_length": gettext_lazy("单位名称请控制在 200 字以内。")},
    )
    document_or_practice = VisibleCharField(
        label=gettext_lazy("涉及的文件或做法"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("如文件名称和文号，或具体做法（如“要求外地企业在本地注册分公司”）。"),
        error_messages={"max_length": gettext_lazy("请控制在 300 字以内。")},
    )
    attachments = MultipleFileField(
        label=gettext_lazy("附件（可选）"),
        required=False,
        help_text=gettext_lazy("PDF、图片或 Office 文档，最多 3 个，每个不超过 10 MB。"),
    )
    contact_name = VisibleCharField(label=gettext_lazy("联系人（可选）"), max_length=50, required=False)
    contact_phone = forms.RegexField(
        label=gettext_lazy("联系电话（可选）"),
        max_length=40,
        required=False,
        regex=r"^[0-9+\-() ]{5,40}$",
        error_messages={"invalid": gettext_lazy("联系电话格式不正确，请只填写数字、空格、加号或短横线。")},
    )
    contact_email = forms.EmailField(
        label=gettext_lazy("电子邮箱（可选）"), required=False, error_messages={"invalid": gettext_lazy("电子邮箱格式不正确。")}
    )
    consent = forms.BooleanField(
        label=CONSENT_TEXT, error_messages={"required": gettext_lazy("请阅读并勾选同意告知事项后再提交。")}
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submission_token", uuid.uuid4())
        self.fields["attachments"].widget.attrs["accept"] = ".pdf,.jpg,.jpeg,.png,.gif,.webp,.doc,.docx,.xls,.xlsx,.odt"
        _describe_by_help(self)
        self.fields["submission_token"].error_messages = {
            "required": _("表单已失效，请刷新页面后重新提交。"),
            "invalid": _("表单已失效，请刷新页面后重新提交。"),
        }

    def clean_description(self):
        value = self.cleaned_data["description"]
        if visible_length(value) < 10:
            raise ValidationError(_("问题描述过短，请至少写 10 个字，说明发生了什么。"))
        return value

    def clean_attachments(self):
        files = self.cleaned_data.get("attachments") or []
        limit = conf.get("MAX_ATTACHMENTS")
        if len(files) > limit:
            raise ValidationError(_("附件最多 {limit} 个。").format(limit=limit))
        errors = []
        for upload in files:
            try:
                check_upload(upload, max_bytes=conf.get("ATTACHMENT_MAX_BYTES"))
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        return files


class StatusLookupForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("回执码"),
        max_length=40,
        help_text=gettext_lazy("提交时获得的 12 位回执码，如 ABCD-EFGH-JKMN（不区分大小写）。"),
        error_messages={"required": gettext_lazy("请输入回执码。"), "max_length": gettext_lazy("回执码最多 40 个字符，请核对后重新输入。")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _describe_by_help(self)

    def clean_code(self):
        code = normalize_receipt_code(self.cleaned_data["code"])
        if len(code) != RECEIPT_LENGTH or any(ch not in RECEIPT_ALPHABET for ch in code):
            raise ValidationError(_("回执码应为 12 位字母和数字（不含 0、1、I、L、O），请核对后重新输入。"))
        return code


class RatingForm(forms.Form):
    """好差评 of a service item: five levels, an optional comment and the receipt code of the case handled."""

    LEVEL_CHOICES = [(5, gettext_lazy("非常满意")), (4, gettext_lazy("满意")), (3, gettext_lazy("基本满意")), (2, gettext_lazy("不满意")), (1, gettext_lazy("非常不满意"))]

    submission_token = forms.UUIDField(widget=forms.HiddenInput)
    level = forms.TypedChoiceField(
        label=gettext_lazy("评价等级"),
        choices=LEVEL_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("请选择评价等级。"), "invalid_choice": gettext_lazy("请从五个等级中选择一项。")},
    )
    comment = forms.CharField(
        label=gettext_lazy("评价内容（可选）"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("可说明满意或不满意的原因。请勿填写姓名、电话等个人信息。"),
        error_messages={"max_length": gettext_lazy("评价内容请控制在 2000 字以内。")},
    )
    receipt_code = forms.RegexField(
        label=gettext_lazy("办件回执码（可选）"),
        max_length=64,
        required=False,
        regex=r"^[A-Za-z0-9\-]{4,64}$",
        help_text=gettext_lazy("办理本事项时取得的办件编号或回执码，便于部门核实；不填写也可评价。"),
        error_messages={"invalid": gettext_lazy("办件回执码只能包含字母、数字和短横线（4 至 64 位）。"),
                        "max_length": gettext_lazy("办件回执码最多 64 位。")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submission_token", uuid.uuid4())
        _describe_by_help(self)
        self.fields["submission_token"].error_messages = {
            "required": _("表单已失效，请刷新页面后重新提交。"),
            "invalid": _("表单已失效，请刷新页面后重新提交。"),
        }

    def clean_comment(self):
        return self.cleaned_data["comment"].strip()

    def clean_receipt_code(self):
        return self.cleaned_data["receipt_code"].strip().upper()

    @property
    def idempotency_key(self) -> str:
        """The key ``submit_rating`` deduplicates on: the form's one-time token."""
        return f"portal:{self.cleaned_data['submission_token']}"
