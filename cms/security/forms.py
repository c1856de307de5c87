from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("验证码"),
        max_length=16,
        help_text=gettext_lazy("身份验证器应用（如 FreeOTP、Microsoft Authenticator、阿里云 App）当前显示的 6 位数字。"),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class LoginCodeForm(CodeForm):
    """After the password: an authenticator code or one of the user's backup codes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["code"]
        field.help_text = _("身份验证器当前显示的 6 位数字；手机不在身边时，可输入一个备用验证码（如 ABCD-EFGH，每个只能用一次）。")
        field.widget.attrs.pop("inputmode", None)
