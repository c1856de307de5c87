"""The relevance set (issue 21, item 6), kept as data in tests/search/data/:

- ``relevance_cases.json``: 209 case texts written for this set in the style of the NDRC's bulletins of
  typical cases that violate the market-access negative list (invented places: 甲县, 乙市 ...), restating
  the barrier patterns of the seed notices and DOMAIN.md: local registration, performance, staff or tax
  demands in 招投标 and 政府采购, 异地经营 restrictions, extra permits and 备案 turned into approvals
  (准入许可), 指定交易, 歧视性 conditions, quantity and distance controls, exclusive 特许经营, intermediaries,
  local-only subsidies and unlawful fees. Each has a title, place, department (r33 on), field (``category``)
  and barrier type (``barrier``). r01–r32 were written whole; r33–r209 each from its own facts (what the
  business met, what was required, the remedy) set in shared framing sentences (how the lead came in, the
  legal ground of its barrier type, the follow-up), ~200 characters on average.
- ``relevance_queries.json``: citizen-style queries with the case each one is after: ``natural``
  (an unspaced sentence as a citizen types it; ``variant`` marks those with typos, traditional characters
  or full-width digits) and ``keyword`` (two or three words separated by spaces). ``grades`` are graded
  judgements (3 the case the query is after, 2 another case on the same specific demand, 1 a related case:
  same barrier type in the same field, 0 absent); ``judged`` says how: ``hand`` (24 queries, a seeded random
  sample, every candidate read) or ``rule`` (the other 293: 1 for each case of the same barrier type and
  field, no 2s). How the grades came about and how well the rule agrees with the hand: data/README.md.

Used by tests/search/test_relevance.py (the ≥90 % top-3 goal) and bench/search_relevance.py (graded
nDCG@10, recall@10 and MRR of the sought case).
"""

import json
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


def cases() -> list[dict]:
    return json.loads((DATA / "relevance_cases.json").read_text(encoding="utf-8"))


def queries(kind: str | None = None) -> list[dict]:
    rows = json.loads((DATA / "relevance_queries.json").read_text(encoding="utf-8"))
    return [r for r in rows if kind is None or r["kind"] == kind]


def documents() -> list[dict]:
    """The cases as search documents (``zhunru.search.documents`` shape)."""
    return [{"id": c["id"], "type": "case", "type_label": "典型案例", "title": c["title"], "summary": "",
             "text": c["text"], "date": c["date"], "year": int(c["date"][:4]), "category": c["category"],
             "department": c.get("department", ""), "region": c["region"], "codes": [], "url": f"/cases/{c['id']}/"} for c in cases()]


def synonym_groups() -> list[list[str]]:
    """The default synonym set an installation starts with (``zhunru.search.synonyms.DEFAULTS``)."""
    from zhunru.search.synonyms import DEFAULTS

    return [[t.strip() for t in terms.split("=")] for terms, _note in DEFAULTS]


def ranks(backend, rows: list[dict], groups: list[list[str]], k: int = 10) -> list[int | None]:
    """1-based rank of each query's expected case in the backend's top ``k`` (None when absent)."""
    return [ids.index(row["expected"]) + 1 if row["expected"] in ids else None
            for row, ids in zip(rows, rankings(backend, rows, groups, k), strict=True)]


def rankings(backend, rows: list[dict], groups: list[list[str]], k: int = 10) -> list[list[str]]:
    """The ids of each query's top ``k`` hits."""
    from zhunru.search.analysis import plan_query

    return [[h.id for h in backend.search(plan_query(row["q"], groups), per_page=k, facets=()).hits] for row in rows]
