"""Hidden-barrier screening of policy texts (section 十一)."""

import re
from dataclasses import dataclass

SEED_RULES = [
    ("本地注册", False, "entry", "要求在本地注册设立企业或分支机构，构成对外地经营主体的准入壁垒。"),
    ("限本地企业", False, "entry", "限定本地企业参与，排斥外地经营主体。"),
    (r"(仅|只)(限|允许)(本地|本市|本县|本区)", True, "entry", "以所在地限定经营主体资格。"),
    ("指定供应商", False, "operation", "指定交易对象，限制经营主体自主选择。"),
    ("国有企业优先", False, "operation", "以所有制形式设置差别待遇。"),
    (r"(前置|另行|额外)(审批|备案|审核)", True, "entry", "在法定程序外增设审批或备案环节。"),
    (r"外地企业.{0,10}保证金", True, "operation", "对外地企业额外收取保证金。"),
    ("本地业绩", False, "entry", "以本地业绩作为资格条件。"),
]


@dataclass
class Match:
    rule: object
    start: int
    end: int
    excerpt: str


def seed_rules() -> int:
    from cms.catalog.models import ScreeningRule

    created = 0
    for phrase, is_regex, category, explanation in SEED_RULES:
        _, new = ScreeningRule.objects.get_or_create(
            phrase=phrase, defaults={"is_regex": is_regex, "category": category, "explanation": explanation}
        )
        created += new
    return created


def screen_text(text: str, rules=None) -> list[Match]:
    from cms.catalog.models import ScreeningRule

    if rules is None:
        rules = ScreeningRule.objects.filter(enabled=True)
    matches = []
    for rule in rules:
        pattern = rule.phrase if rule.is_regex else re.escape(rule.phrase)
        try:
            compiled = re.compile(pattern)
        except re.error:
            continue
        for m in compiled.finditer(text):
            a, b = max(0, m.start() - 20), min(len(text), m.end() + 20)
            matches.append(Match(rule, m.start(), m.end(), text[a:b]))
    matches.sort(key=lambda m: (m.start, m.end))
    return matches
