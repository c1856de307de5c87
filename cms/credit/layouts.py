"""The record layouts of the credit exchange (EXCHANGE.md), in one place: the national 双公示 field lists of
licensing and penalty decisions, the 失信 record's and the withdrawal ("repair") record's; which fields are
mandatory; and the check every record passes before it is queued, resent or written to a batch file.

    fields(kind)                 -> [(key, Chinese column name), ...] in file order
    validate_payload(kind, data) -> raises a Chinese ValidationError naming the missing mandatory fields
    normalise(kind, **values)    -> the payload dict (every key of the layout, dates as YYYY-MM-DD, "" blanks)

Plain values only (no models): the outbox, the 双公示 register and the batch export share it.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError

LICENSING, PENALTY, DISHONESTY, REPAIR = "licensing", "penalty", "dishonesty", "repair"

# National layout (国家公共信用信息中心 双公示 data standard, 2021 edition as recalled in DOMAIN.md): payload
# key -> national field name. Keys shared with the rest of the exchange keep its names (subject_name, uscc,
# document_number, decided_on, authority_name, ...).
SUBJECT_FIELDS: list[tuple[str, str]] = [
    ("subject_name", "行政相对人名称"),
    ("subject_category", "行政相对人类别"),
    ("uscc", "行政相对人代码_1（统一社会信用代码）"),
    ("registration_number", "行政相对人代码_2（工商注册号）"),
    ("organisation_code", "行政相对人代码_3（组织机构代码）"),
    ("tax_number", "行政相对人代码_4（税务登记号）"),
    ("institution_certificate", "行政相对人代码_5（事业单位证书号）"),
    ("social_organisation_certificate", "行政相对人代码_6（社会组织登记证号）"),
    ("legal_representative", "法定代表人"),
    ("legal_representative_id_type", "法定代表人证件类型"),
    ("legal_representative_id_number", "法定代表人证件号码"),
    ("person_id_type", "证件类型"),
    ("person_id_number", "证件号码"),
]
LICENSING_FIELDS: list[tuple[str, str]] = SUBJECT_FIELDS + [
    ("document_name", "行政许可决定文书名称"),
    ("document_number", "行政许可决定文书号"),
    ("licence_category", "许可类别"),
    ("certificate_name", "许可证书名称"),
    ("licence_number", "许可编号"),
    ("licence_content", "许可内容"),
    ("decided_on", "许可决定日期"),
    ("valid_from", "有效期自"),
    ("valid_until", "有效期至"),
    ("authority_name", "许可机关"),
    ("authority_uscc", "许可机关统一社会信用代码"),
    ("current_status", "当前状态"),
    ("source_unit", "数据来源单位"),
    ("source_unit_uscc", "数据来源单位统一社会信用代码"),
    ("remarks", "备注"),
]
PENALTY_FIELDS: list[tuple[str, str]] = SUBJECT_FIELDS + [
    ("document_number", "行政处罚决定书文号"),
    ("violation_type", "违法行为类型"),
    ("facts", "违法事实"),
    ("basis", "处罚依据"),
    ("penalty_category", "处罚类别"),
    ("penalty_content", "处罚内容"),
    ("fine_amount", "罚款金额（万元）"),
    ("confiscated_amount", "没收违法所得、没收非法财物的金额（万元）"),
    ("suspended_licence", "暂扣或吊销证照名称及编号"),
    ("decided_on", "处罚决定日期"),
    ("penalty_valid_until", "处罚有效期"),
    ("publicity_until", "公示截止期"),
    ("authority_name", "处罚机关"),
    ("authority_uscc", "处罚机关统一社会信用代码"),
    ("source_unit", "数据来源单位"),
    ("source_unit_uscc", "数据来源单位统一社会信用代码"),
    ("remarks", "备注"),
]
# A 失信 record keeps the exchange's own 13-key layout (EXCHANGE.md, "Sending a record").
DISHONESTY_FIELDS: list[tuple[str, str]] = [
    ("subject_name", "行政相对人名称"),
    ("uscc", "统一社会信用代码"),
    ("legal_representative", "法定代表人"),
    ("document_number", "决定文书号"),
    ("category", "类别"),
    ("content", "内容"),
    ("decided_on", "决定日期"),
    ("valid_from", "有效期自"),
    ("valid_until", "有效期至"),
    ("authority_name", "决定机关"),
    ("authority_uscc", "决定机关统一社会信用代码"),
    ("source_unit", "数据来源单位"),
    ("source_unit_uscc", "数据来源单位统一社会信用代码"),
]
# Taking a record off (信用修复, 公示期满, withdrawn by the office).
REPAIR_FIELDS: list[tuple[str, str]] = [
    ("subject_name", "行政相对人名称"),
    ("uscc", "统一社会信用代码"),
    ("person_id_number", "证件号码（自然人）"),
    ("document_number", "撤下记录的决定文书号"),
    ("decided_on", "撤下记录的决定日期"),
    ("withdraws_kind", "撤下记录的类型"),
    ("reason", "撤下原因"),
    ("withdrawn_on", "撤下日期"),
]
LAYOUTS: dict[str, list[tuple[str, str]]] = {
    LICENSING: LICENSING_FIELDS, PENALTY: PENALTY_FIELDS, DISHONESTY: DISHONESTY_FIELDS, REPAIR: REPAIR_FIELDS,
}
TITLES = {LICENSING: "行政许可", PENALTY: "行政处罚", DISHONESTY: "失信记录", REPAIR: "撤下记录"}

SUBJECT_CATEGORIES = ("法人及非法人组织", "自然人", "个体工商户")
LICENCE_CATEGORIES = ("普通", "特许", "认可", "核准", "登记", "其他")
CURRENT_STATUSES = ("有效", "无效")

_DECISION_REQUIRED = ["subject_name", "subject_category", "document_number", "decided_on", "authority_name",
                      "authority_uscc", "source_unit", "source_unit_uscc"]
REQUIRED: dict[str, list[str]] = {
    LICENSING: _DECISION_REQUIRED + ["document_name", "licence_category", "licence_content", "valid_from",
                                     "valid_until", "current_status"],
    PENALTY: _DECISION_REQUIRED + ["violation_type", "facts", "basis", "penalty_category", "penalty_content",
                                   "publicity_until"],
    DISHONESTY: ["subject_name", "uscc", "document_number", "category", "content", "decided_on", "authority_name",
                 "source_unit"],
    REPAIR: ["subject_name", "document_number", "decided_on", "withdraws_kind", "reason", "withdrawn_on"],
}
# By subject category (the national name, as sent): legal persons and organisations give their code and
# representative, individual businesses their code, natural persons their ID document.
REQUIRED_BY_CATEGORY: dict[str, list[str]] = {
    "法人及非法人组织": ["uscc", "legal_representative"],
    "个体工商户": ["uscc"],
    "自然人": ["person_id_type", "person_id_number"],
}
DATE_KEYS = {"decided_on", "valid_from", "valid_until", "penalty_valid_until", "publicity_until", "withdrawn_on"}
USCC_KEYS = ("uscc", "authority_uscc", "source_unit_uscc")
_MISSING = {LICENSING: "双公示信息缺少必填项", PENALTY: "双公示信息缺少必填项", DISHONESTY: "报送记录缺少必填项",
            REPAIR: "撤下记录缺少必填项"}


def fields(kind: str) -> list[tuple[str, str]]:
    try:
        return LAYOUTS[kind]
    except KeyError:
        raise ValidationError(f"未知的记录类型“{kind}”。") from None


def text(value) -> str:
    """One value as it travels and is written to a batch file: dates ISO, amounts plain, blanks ""."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value).strip()


def _required(kind: str, payload: dict) -> list[str]:
    keys = list(REQUIRED[kind])
    if kind in (LICENSING, PENALTY):
        keys += REQUIRED_BY_CATEGORY.get(payload.get("subject_category", ""), [])
    elif kind == REPAIR and not payload.get("person_id_number"):
        keys.insert(1, "uscc")  # a natural person's record is named by the ID document instead
    return keys


def validate_payload(kind: str, payload: dict) -> None:
    """Refuse a record that may not be sent: the first problem, in Chinese, names the national field."""
    from zhunru.validators import validate_uscc

    names = dict(fields(kind))
    unknown = sorted(set(payload) - set(names))
    if unknown:
        raise ValidationError(f"未知的报送字段：{'、'.join(unknown)}。")
    missing = [k for k in _required(kind, payload) if not text(payload.get(k))]
    if missing:
        raise ValidationError(f"{_MISSING[kind]}：{'、'.join(names[k] for k in missing)}。")
    if kind in (LICENSING, PENALTY) and payload["subject_category"] not in SUBJECT_CATEGORIES:
        raise ValidationError(f"{names['subject_category']}应为{'、'.join(SUBJECT_CATEGORIES)}之一。")
    if kind == LICENSING:
        if payload["licence_category"] not in LICENCE_CATEGORIES:
            raise ValidationError(f"许可类别应为{'、'.join(LICENCE_CATEGORIES)}之一。")
        if payload["current_status"] not in CURRENT_STATUSES:
            raise ValidationError("当前状态应为“有效”或“无效”。")
    if kind == REPAIR and payload["withdraws_kind"] not in (LICENSING, PENALTY, DISHONESTY):
        raise ValidationError(f"撤下记录的类型“{payload['withdraws_kind']}”无效。")
    for key in DATE_KEYS & set(names):
        value = text(payload.get(key))
        if value:
            try:
                datetime.date.fromisoformat(value)
            except ValueError:
                raise ValidationError(f"{names[key]}“{value}”不是有效日期（应为 年-月-日）。") from None
    for key in USCC_KEYS:
        if key in names and text(payload.get(key)):
            try:
                validate_uscc(text(payload[key]))
            except ValidationError as exc:
                raise ValidationError(f"{names[key]}：{exc.messages[0]}") from None


def normalise(kind: str, **values) -> dict:
    """The payload of ``kind``: every layout key in order, validated; codes in upper case."""
    from zhunru.validators import normalize_uscc

    names = dict(fields(kind))
    unknown = sorted(set(values) - set(names))
    if unknown:
        raise ValidationError(f"未知的报送字段：{'、'.join(unknown)}。")
    payload = {key: text(values.get(key)) for key in names}
    for key in USCC_KEYS:
        if payload.get(key):
            payload[key] = normalize_uscc(payload[key])
    validate_payload(kind, payload)
    return payload
