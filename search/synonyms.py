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
