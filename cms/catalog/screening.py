"""Hidden-barrier screening of policy texts (section 十一)."""

import re
from dataclasses import dataclass

# (phrase, is_regex, category, explanation, basis) — categories are the three typical-case categories
# (section 八(二)), so a match points at the kind of case it would be; basis is the clause of section 十一.
SEED_RULES = [
    ("本地注册", False, "discriminatory", "要求在本地注册设立企业或分支机构，构成对外地经营主体的准入壁垒。",
     "十一(三)：不得要求企业必须在某地登记注册"),
    (r"(必须|须|应当)在(本地|本市|本县|本区|当地).{0,6}(登记|注册|设立)", True, "discriminatory",
     "要求企业在特定地方登记注册或设立机构。", "十一(三)：不得要求企业必须在某地登记注册"),
    ("限本地企业", False, "discriminatory", "限定本地企业参与，排斥外地经营主体。",
     "十一(三)：不得对外地企业进入本地设置准入壁垒"),
    (r"(仅|只)(限|允许)(本地|本市|本县|本区)", True, "discriminatory", "以所在地限定经营主体资格。",
     "十一(三)：不得对外地企业进入本地设置准入壁垒"),
    ("本地业绩", False, "discriminatory", "以本地业绩作为资格条件，变相排斥外地经营主体。",
     "十一(三)：不得对外地企业进入本地设置准入壁垒"),
    (r"外地企业.{0,10}保证金", True, "discriminatory", "对外地企业额外收取保证金。",
     "十一(三)：不得对外地企业进入本地设置准入壁垒"),
    ("国有企业优先", False, "discriminatory", "以所有制形式设置差别待遇。",
     "十一(三)：不得对民营企业设置不合理或歧视性准入条件"),
    (r"(民营|私营|非公有制)企业.{0,8}(不得|不予|禁止|限制)", True, "discriminatory",
     "对民营企业设置限制或差别待遇。", "十一(三)：不得对民营企业设置不合理或歧视性准入条件"),
    (r"(迁出|迁移|跨区域经营).{0,10}(不予|限制|须经|需经)", True, "discriminatory",
     "为企业跨区域经营或迁移设置障碍。", "十一(三)：不得为企业跨区域经营或迁移设置障碍"),
    (r"(前置|另行|额外)(审批|备案|审核)", True, "entry_conditions", "在法定程序外增设审批或备案环节。",
     "十一(二)(四)：清单之外不得违规另设准入许可或隐性门槛"),
    (r"(注册资本|资产总额|营业收入).{0,6}(不低于|不少于|达到)", True, "entry_conditions",
     "以规模条件设置准入门槛，需核对是否有法律法规依据。", "十一(四)：清理准入环节违规设置的隐性门槛"),
    ("指定供应商", False, "unfair_competition", "指定交易对象，限制经营主体自主选择。",
     "十一(二)：负面清单外各类市场主体可依法平等进入"),
    (r"(指定|限定).{0,4}(品牌|厂家|生产商|服务机构|中介机构)", True, "unfair_competition",
     "限定或指定特定品牌、厂家或机构，排除、限制竞争。", "十一(二)：负面清单外各类市场主体可依法平等进入"),
]


@dataclass
class Match:
    rule: object
    start: int
    end: int
    excerpt: str


def seed_rules() -> int:
    from zhunru.catalog.models import ScreeningRule

    created = 0
    for phrase, is_regex, category, explanation, basis in SEED_RULES:
        _, new = ScreeningRule.objects.update_or_create(
            phrase=phrase, jurisdiction=None,
            defaults={"is_regex": is_regex, "category": category, "explanation": explanation, "basis": basis},
        )
        created += new
    return created


def screen_text(text: str, rules=None, jurisdictions=()) -> list[Match]:
    """The matches of the enabled national rules and of ``jurisdictions``' own rules (or of ``rules``)."""
    from zhunru.catalog.models import ScreeningRule

    if rules is None:
        rules = ScreeningRule.objects.applying_to(jurisdictions)
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
