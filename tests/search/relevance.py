"""The relevance set (issue 21, item 6), kept as data in tests/search/data/:

- ``relevance_cases.json``: 32 case texts written for this set in the style of the NDRC's bulletins of
  typical cases that violate the market-access negative list (invented places: 甲县, 乙市 ...);
- ``relevance_queries.json``: citizen-style queries with the case each one is after: ``natural``
  (an unspaced sentence as a citizen types it; three in traditional characters or full-width digits)
  and ``keyword`` (two or three words separated by spaces).

Used by tests/search/test_relevance.py (the ≥90 % top-3 goal) and bench/search_relevance.py (nDCG@10,
recall@10, MRR). One relevant case per query (binary judgements).
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
             "department": "", "region": c["region"], "codes": [], "url": f"/cases/{c['id']}/"} for c in cases()]


def synonym_groups() -> list[list[str]]:
    """The default synonym set an installation starts with (``zhunru.search.synonyms.DEFAULTS``)."""
    from zhunru.search.synonyms import DEFAULTS

    return [[t.strip() for t in terms.split("=")] for terms, _note in DEFAULTS]


def ranks(backend, rows: list[dict], groups: list[list[str]], k: int = 10) -> list[int | None]:
    """1-based rank of each query's expected case in the backend's top ``k`` (None when absent)."""
    from zhunru.search.analysis import plan_query

    out = []
    for row in rows:
        ids = [h.id for h in backend.search(plan_query(row["q"], groups), per_page=k, facets=()).hits]
        out.append(ids.index(row["expected"]) + 1 if row["expected"] in ids else None)
    return out
