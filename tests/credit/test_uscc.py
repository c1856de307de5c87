import pytest
from django.core.exceptions import ValidationError

from tests.credit.conftest import make_uscc
from zhunru.validators import uscc_check_character, validate_uscc

PUBLISHED = [
    "91330100716105852F",  # 阿里巴巴（中国）有限公司
    "914403001922038216",  # 华为技术有限公司
    "91440300708461136T",  # 深圳市腾讯计算机系统有限公司
    "91350100M000100Y43",
    "12100000400000624D",  # a public institution (机构编制, 事业单位)
]


@pytest.mark.parametrize("code", PUBLISHED)
def test_published_codes_are_accepted(code):
    assert validate_uscc(code.lower()) == code


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("91330100716105852", "uscc_length"),
        ("91330100716105852FF", "uscc_length"),
        ("9133010071610585IF", "uscc_charset"),
        ("B1330100716105852F", "uscc_authority"),
        ("95330100716105852F", "uscc_type"),
        ("91990100716105852F", "uscc_division"),
        ("91330100716105852E", "uscc_check"),
        ("91330100716105825F", "uscc_check"),  # two digits swapped
    ],
)
def test_corrupted_codes_are_refused_with_the_reason(code, error):
    with pytest.raises(ValidationError) as exc:
        validate_uscc(code)
    assert exc.value.code == error
    assert any("\u4e00" <= ch <= "\u9fff" for ch in exc.value.messages[0])


def test_letter_prefixes_of_cooperatives_and_other_authorities():
    for body in ("N2360202MA0000001", "Y1140981MA0000001"):
        code = body + uscc_check_character(body)
        assert validate_uscc(code) == code


def test_subject_full_clean_names_the_field(db):
    from zhunru.credit.models import MarketSubject

    s = MarketSubject(name="测试", uscc="91330100716105852E")
    with pytest.raises(ValidationError) as exc:
        s.full_clean()
    assert "校验位" in exc.value.message_dict["uscc"][0]
    s.uscc = make_uscc("91360202MA0000001").lower()
    s.full_clean()
    assert s.uscc == s.uscc.upper()
