import pytest
from django.core.exceptions import ValidationError

from zhunru.validators import uscc_check_character, validate_uscc

# Published codes (enterprise, cooperative-style and central-authority prefixes).
VALID = [
    "91350100M000100Y43",
    "91110000100010433L",  # 中国石油化工集团有限公司
    "N2360203123456789" + uscc_check_character("N2360203123456789"),  # 农业农村 registration
    "Y1" + "110000" + "MB1234567" + uscc_check_character("Y1110000MB1234567"),
]


@pytest.mark.parametrize("code", VALID)
def test_valid_codes_pass_including_letter_prefixes(code):
    assert validate_uscc(code.lower()) == code


@pytest.mark.parametrize(
    ("code", "error_code"),
    [
        ("91350100M000100Y4", "uscc_length"),
        ("91350100M000100Y4O", "uscc_charset"),
        ("B1350100M000100Y43", "uscc_authority"),
        ("97350100M000100Y43", "uscc_type"),
        ("91990100M000100Y43", "uscc_division"),
        ("91350100M000100Y44", "uscc_check"),
        ("91110000100010433X", "uscc_check"),
    ],
)
def test_each_kind_of_mistake_has_its_own_chinese_error(code, error_code):
    with pytest.raises(ValidationError) as excinfo:
        validate_uscc(code)
    assert excinfo.value.code == error_code
    assert "统一社会信用代码" in excinfo.value.messages[0]
