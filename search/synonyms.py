"""Synonym groups for query expansion, cached per process and invalidated when an administrator edits them."""

from django.core.cache import cache

CACHE_KEY = "zhunru-search:synonyms:v1"
SEED = [
    ("发改委 = 发展改革委 = 发展和改革委员会 = 发展和改革局", "发展改革部门的简称与全称"),
    ("市场监管局 = 市场监督管理局", "市场监管部门"),
    ("招投标 = 招标投标", ""),
    ("负面清单 = 市场准入负面清单", ""),
    ("住建局 = 住房和城乡建设局", ""),
    ("人社局 = 人力资源和社会保障局", ""),
    ("卫健委 = 卫生健康委员会 = 卫生健康委", ""),
    ("行政审批局 = 行政审批服务局", ""),
    ("统一社会信用代码 = 信用代码", ""),
]
# What citizens say for what the cases say (migration 0003 adds them to existing installations).
CITIZEN = [
    ("社保 = 社会保险", "群众用语"),
    ("当地 = 本地", "群众用语"),
    ("外地 = 外县 = 外市 = 外省", "群众用语"),
    ("分公司 = 分支机构", "群众用语"),
    ("户口 = 户籍", "群众用语"),
    ("老家 = 原籍 = 户籍所在地", "群众用语"),
    ("工地 = 施工现场", "群众用语"),
    ("农商行 = 农村商业银行", "群众用语"),
    ("网约车 = 网络预约出租汽车", "群众用语"),
    ("驾校 = 机动车驾驶员培训机构 = 驾驶员培训", "群众用语"),
    ("快递驿站 = 快递末端网点", "群众用语"),
    ("商品混凝土 = 预拌混凝土", "群众用语"),
    ("民营医院 = 社会办医", "群众用语"),
    ("卫健局 = 卫生健康局", "卫生健康部门"),
]
# The set a new installation starts with; administrators edit it (搜索 → 同义词).
DEFAULTS = SEED + CITIZEN


def groups() -> list[list[str]]:
    """Enabled synonym groups, as lists of forms."""
    cached = cache.get(CACHE_KEY)
    if cached is not None:
        return cached
    from zhunru.search.models import Synonym

    try:
        value = [s.term_list for s in Synonym.objects.filter(enabled=True)]
    except Exception:  # table missing (before migrate): search still works, without synonyms
        return []
    cache.set(CACHE_KEY, value, 300)
    return value


def invalidate(**_kwargs) -> None:
    cache.delete(CACHE_KEY)
