"""Search relevance on the relevance set (tests/search/data/, issue 21 item 6): nDCG@10 (graded: 3 the sought
case, 2 the same specific demand, 1 related; tests/search/data/README.md), recall@10, MRR and top-3 hit rate of the sought case per
backend, for the natural (unspaced sentence) and the keyword queries, and for the natural queries typed
with typos, traditional characters or full-width digits.

Backends: embedded (Tantivy), fts5 (SQLite), and the Elasticsearch backend on osmem-server (a test server:
its BM25 and analysis are not a real cluster's, so a cluster may score differently). The ``strict AND``
rows run the same plans with every unit of a sentence required and no proximity pieces: what search did
before sentences were understood.

The peer: Wagtail's database backend on PostgreSQL (modelsearch's PostgresSearchBackend, ``simple``
configuration, ts_rank) fed the same CJK bigram tokens (bench/search.py ``wagtail_pg``: a scratch database
``zhunru_bench_search`` on ``ZHUNRU_BENCH_PG_URL``, default postgres://postgres@127.0.0.1:5432/test, dropped
afterwards). Keyword queries run with its default ``and`` operator; natural queries once with ``or`` (its
ranked OR over the bigrams, the fair reading of a sentence) and once with ``and`` (every bigram required).

    .venv/bin/python bench/search_relevance.py [--skip-es] [--skip-pg]
"""

import argparse
import logging
import math
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def ndcg(ids: list[str], grades: dict[str, int], k: int = 10) -> float:
    """Graded nDCG@k with gains 2^grade - 1."""
    dcg = sum((2 ** grades.get(i, 0) - 1) / math.log2(rank + 1) for rank, i in enumerate(ids[:k], start=1))
    ideal = sorted(grades.values(), reverse=True)[:k]
    best = sum((2 ** g - 1) / math.log2(rank + 1) for rank, g in enumerate(ideal, start=1))
    return dcg / best if best else 0.0


def metrics(rows: list[dict], rankings: list[list[str]]) -> dict[str, float]:
    n = len(rows) or 1
    ranks = [ids.index(row["expected"]) + 1 if row["expected"] in ids else None
             for row, ids in zip(rows, rankings, strict=True)]
    return {
        "nDCG@10": sum(ndcg(ids, row.get("grades") or {row["expected"]: 3})
                       for row, ids in zip(rows, rankings, strict=True)) / n,
        "recall@10": sum(1 for r in ranks if r) / n,
        "MRR": sum(1 / r for r in ranks if r) / n,
        "top-3": sum(1 for r in ranks if r and r <= 3) / n,
    }


class StrictAnd:
    """A backend wrapper that runs each plan with every sentence unit required (the old semantics)."""

    def __init__(self, backend):
        self.backend = backend

    def search(self, plan, **kwargs):
        plan.minimum_should_match, plan.phrases = len(plan.optional), []
        return self.backend.search(plan, **kwargs)


def wagtail_pg_rows(tmp: Path) -> list[tuple[str, str, str]]:
    """The relevance set on Wagtail's database backend on PostgreSQL with the same bigram tokens."""
    import importlib.util

    from tests.search import relevance

    spec = importlib.util.spec_from_file_location("bench_search", ROOT / "bench" / "search.py")
    bench_search = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench_search)
    runs = [("natural", "or"), ("natural", "and"), ("keyword", "and")]
    jobs = [(kind, op, row) for kind, op in runs for row in relevance.queries(kind)]
    out = bench_search.wagtail_pg({"kind": "relevance"}, [{"q": row["q"], "operator": op} for _k, op, row in jobs],
                                  1, tmp)
    rows = []
    name = f"wagtail-db ({out['class']}, PostgreSQL, same bigram tokens)"
    for kind, op in runs:
        picked = [(row, r["ids"]) for (k, o, row), r in zip(jobs, out["results"], strict=True) if (k, o) == (kind, op)]
        m = metrics([row for row, _ in picked], [ids for _, ids in picked])
        rows.append(("search_relevance", f"{name}, operator {op}, {kind} ({len(picked)})",
                     "  ".join(f"{k} {v:.3f}" for k, v in m.items())))
    return rows


def run(skip_es: bool = False, skip_pg: bool = False, words: bool = False) -> list[tuple[str, str, str]]:
    os.environ["DJANGO_SETTINGS_MODULE"] = "deploy.settings.test"
    import django

    django.setup()
    logging.getLogger("elastic_transport").setLevel(logging.WARNING)
    from tests.search import relevance
    from zhunru.search.backends.embedded import EmbeddedBackend
    from zhunru.search.backends.sqlite_fts import SqliteFtsBackend

    tmp = Path(tempfile.mkdtemp(prefix="zhunru-bench-relevance-"))
    docs, groups = relevance.documents(), relevance.synonym_groups()
    backends = {"embedded (tantivy)": EmbeddedBackend({"PATH": str(tmp / "embedded"), "LOCK_TIMEOUT": 60}),
                "fts5 (sqlite)": SqliteFtsBackend({"PATH": str(tmp / "fts"), "LOCK_TIMEOUT": 60})}
    if words:  # issue 21's optional word segmentation (rjieba), beside the same backend without it
        backends = {"embedded (tantivy)": backends["embedded (tantivy)"],
                    "embedded (tantivy), SEGMENTATION on": EmbeddedBackend(
                        {"PATH": str(tmp / "embedded-words"), "LOCK_TIMEOUT": 60, "SEGMENTATION": True})}
    server = None
    rows: list[tuple[str, str, str]] = [
        ("search_relevance", "cases / natural / keyword queries",
         f"{len(docs)} / {len(relevance.queries('natural'))} / {len(relevance.queries('keyword'))}")]
    if not skip_es:
        try:
            from tests.search.conftest import OsmemProcess, es_params
            from zhunru.search.backends.elasticsearch import ElasticsearchBackend

            server = OsmemProcess().start()
            backends["elasticsearch@osmem"] = ElasticsearchBackend({**es_params(server.url, index="relevance")})
            if words:
                backends["elasticsearch@osmem, SEGMENTATION on"] = ElasticsearchBackend(
                    {**es_params(server.url, index="relevance-words"), "SEGMENTATION": True})
        except Exception as exc:
            rows.append(("search_relevance", "elasticsearch@osmem", f"skipped: {exc}"))
    try:
        for name, backend in backends.items():
            backend.rebuild(docs)
            for variant, runner in ((name, backend), (f"{name}, strict AND", StrictAnd(backend))):
                for kind in ("natural", "keyword"):
                    queries = relevance.queries(kind)
                    rankings = relevance.rankings(runner, queries, groups)
                    m = metrics(queries, rankings)
                    rows.append(("search_relevance", f"{variant}, {kind} ({len(queries)})",
                                 "  ".join(f"{k} {v:.3f}" for k, v in m.items())))
                    if kind == "natural" and runner is backend:
                        for typed in ("typo", "traditional", "fullwidth"):
                            picked = [(q, r) for q, r in zip(queries, rankings, strict=True) if q.get("variant") == typed]
                            m = metrics([q for q, _ in picked], [r for _, r in picked])
                            rows.append(("search_relevance", f"{variant}, natural with {typed} ({len(picked)})",
                                         "  ".join(f"{k} {v:.3f}" for k, v in m.items())))
            backend.close()
        if not skip_pg:
            try:
                rows.extend(wagtail_pg_rows(tmp))
            except Exception as exc:
                rows.append(("search_relevance", "wagtail-db on PostgreSQL", f"skipped: {exc}"))
    finally:
        if server is not None:
            server.stop()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-es", action="store_true", help="leave out the Elasticsearch backend on osmem")
    parser.add_argument("--skip-pg", action="store_true",
                        help="leave out Wagtail's database backend on PostgreSQL (ZHUNRU_BENCH_PG_URL)")
    parser.add_argument("--words", action="store_true",
                        help="the embedded (and osmem) backend with and without SEGMENTATION (rjieba), FTS5 left out")
    args = parser.parse_args()
    for _bench, label, value in run(skip_es=args.skip_es, skip_pg=args.skip_pg, words=args.words):
        print(f"{label:<96} {value}")


if __name__ == "__main__":
    main()
