"""The unified social credit code (统一社会信用代码, GB 32100-2015), validated part by part."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# Registration authority (first character) -> organisation types (second character) it issues.
REGISTRATION_AUTHORITIES: dict[str, tuple[str, str]] = {
    "1": (gettext_lazy("机构编制"), "1239"),
    "2": (gettext_lazy("外交"), "19"),
    "3": (gettext_lazy("司法行政"), "1234569"),
    "4": (gettext_lazy("文化"), "19"),
    "5": (gettext_lazy("民政"), "1239"),
    "6": (gettext_lazy("旅游"), "19"),
    "7": (gettext_lazy("宗教"), "129"),
    "8": (gettext_lazy("工会"), "19"),
    "9": (gettext_lazy("市场监督管理（工商）"), "123"),
    "A": (gettext_lazy("中央军委改革和编制办公室"), "19"),
    "N": (gettext_lazy("农业农村"), "1239"),
    "Y": (gettext_lazy("其他"), "1"),
}
PROVINCE_CODES = {
    "10",  # central authorities (100000)
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
    "71", "81", "82",
}  # fmt: skip


def uscc_check_character(first17: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def normalize_uscc(value: str) -> str:
    return (value or "").strip().upper().replace(" ", "")


def validate_uscc(value: str) -> str:
    """Return the normalized code or raise ValidationError naming exactly what is wrong."""
    code = normalize_uscc(value)
    if len(code) != 18:
        raise ValidationError(
            _("统一社会信用代码应为 18 位，当前为 %(n)d 位。"), code="uscc_length", params={"n": len(code)}
        )
    bad = [c for c in code if c not in USCC_ALPHABET]
    if bad:
        raise ValidationError(
            _("统一社会信用代码含有不允许的字符“%(c)s”（不使用 I、O、Z、S、V 及小写字母以外的符号）。"),
            code="uscc_charset",
            params={"c": "".join(dict.fromkeys(bad))},
        )
    authority = REGISTRATION_AUTHORITIES.get(code[0])
    if authority is None:
        raise ValidationError(
            _("统一社会信用代码第 1 位登记管理部门代码“%(c)s”无效。"), code="uscc_authority", params={"c": code[0]}
        )
    if code[1] not in authority[1]:
        raise ValidationError(
            _("统一社会信用代码第 2 位机构类别代码“%(c)s”不属于登记管理部门“%(a)s”。"),
            code="uscc_type",
            params={"c": code[1], "a": authority[0]},
        )
    division = code[2:8]
    if not division.isdigit() or division[:2] not in PROVINCE_CODES:
        raise ValidationError(
            _("统一社会信用代码第 3-8 位登记管理机关行政区划码“%(d)s”无效。"),
            code="uscc_division",
            params={"d": division},
        )
    expected = uscc_check_character(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _("统一社会信用代码校验位错误：第 18 位应为“%(e)s”，实际为“%(a)s”，请核对是否抄错。"),
            code="uscc_check",
            params={"e": expected, "a": code[17]},
        )
    return code
