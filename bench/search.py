"""Search benchmark: N generated Chinese documents (100,000 by default), build time, query p50/p95, recall.

Every backend gets the same documents, the same queries and the same rounds, in one run:
- embedded: Tantivy with CJK bigrams (``zhunru.search.backends.embedded``), the default;
- fts5: SQLite FTS5 over the same bigrams (``zhunru.search.backends.sqlite_fts``), the dependency-free fallback;
- elasticsearch@osmem: the Elasticsearch backend over HTTP against osmem-server, an in-memory
  OpenSearch-compatible test server: its figures say nothing about a real cluster's speed;
- wagtail-db: Wagtail's default database search backend (modelsearch) on SQLite, indexing the
  same text as document titles (255 characters; the other backends get the same truncated text).

A query is timed end to end as the portal runs it: the total and the first page of 10 (with facet
counts and highlights where the backend has them). The local backends are timed twice on the same index:
with the bounds of issue 21 item 5 (total exact up to 10,000, facets over a sample beyond 5,000 matches)
and without them (every match counted, facets over all); recall comes from the exact totals. Recall is the share of documents containing the
query string (ground truth by substring scan) that the backend counts as hits. The last rows give
each backend's p95 as a multiple of the database backend's, with both recalls.

osmem (~400 docs/s) and the database backend (~250 docs/s) load slowly: at 100,000 documents a full
run takes a quarter of an hour or more (``bench/run_all`` needs ``--timeout``/``ZHUNRU_BENCH_TIMEOUT``
of about 3600). ``--compare-docs N`` loads only the first N documents into those two, and compares
the fast backends with them on those N as well.

``--realistic`` builds ~900-character documents from the relevance set's case texts (titles, categories,
regions, departments, years) instead of the 87-character word salad.

    .venv/bin/python bench/search.py [--docs N] [--compare-docs N] [--queries N] [--rounds N] [--skip-es] [--skip-db]
                                     [--realistic]
"""

import argparse
import logging
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WORDS = (
    "市场 准入 负面 清单 隐性 壁垒 整改 约谈 通报 违规 收费 招标 投标 公平 竞争 审查 营商 环境 许可 "
    "审批 备案 登记 注册 企业 外地 本地 分支 机构 资质 要求 限制 排斥 歧视 政府 采购 项目 工程 建设 "
    "交通 运输 医疗 卫生 教育 培训 食品 药品 经营 生产 销售 餐饮 住宿 物流 能源 电力 燃气 供水 金融 "
    "保险 证券 担保 信用 承诺 惩戒 修复 监管 执法 检查 抽查 核查 举报 投诉 线索 移交 办理 反馈 期限 "
    "延期 部门 单位 机关 委员会 人民 政府 县级 区级 乡镇 街道 社区 文件 通知 意见 方案 办法 规定 条款 "
    "清理 废止 修订 完善 落实 推进 加强 优化 提升 服务 事项 编码 指南 材料 流程 时限 窗口 网上 办事"
).split()
ORGS = ["发展和改革委员会", "发展改革委", "发改委", "发展和改革局", "市场监督管理局", "市场监管局", "住房和城乡建设局",
        "行政审批局", "财政局", "交通运输局"]
QUERIES = ["整改", "壁垒", "约谈", "隐性壁垒", "招标投标", "市场准入", "公平竞争审查", "食品经营", "信用修复",
           "投诉", "外地企业", "资质要求", "政府采购项目", "负面清单", "延期", "核查", "营商环境", "分支机构",
           "行政审批", "网上办事"]


def generate(n: int, seed: int = 20261123) -> list[dict]:
    rnd = random.Random(seed)
    docs = []
    for i in range(n):
        title = "".join(rnd.choices(WORDS, k=rnd.randint(3, 7)))
        body = "".join(rnd.choices(WORDS, k=rnd.randint(25, 45))) + rnd.choice(ORGS) + "。"
        text = (title + "，" + body)[:255]
        year = 2018 + i % 8
        docs.append({
            "id": f"bench:{i}", "type": ("policy", "case", "bulletin", "service_item")[i % 4], "type_label": "",
            "title": title, "summary": "", "text": text[len(title) + 1:], "url": f"/b/{i}/",
            "date": f"{year}-{1 + i % 12:02d}-{1 + i % 28:02d}", "year": year, "category": "", "department":
            ORGS[i % len(ORGS)], "region": "", "codes": [], "checksum": "",
        })
    return docs


def generate_realistic(n: int, seed: int = 20261204) -> list[dict]:
    """Documents shaped like real typical cases (issue 21 item 7): ~900 characters made of four or five of the
    relevance set's case texts (tests/search/data/), the first one's title, category and region, a
    department, a year and a type, so that facets have realistic spreads."""
    from tests.search import relevance

    cases = relevance.cases()
    rnd = random.Random(seed)
    docs = []
    for i in range(n):
        parts = rnd.sample(cases, 5)
        text = "".join(c["text"] for c in parts)[:rnd.randint(800, 1000)]
        year = 2018 + rnd.randrange(8)
        docs.append({
            "id": f"bench:{i}", "type": rnd.choice(("case", "case", "bulletin", "policy")), "type_label": "",
            "title": parts[0]["title"], "summary": "", "text": text, "url": f"/b/{i}/",
            "date": f"{year}-{1 + i % 12:02d}-{1 + i % 28:02d}", "year": year, "category": parts[0]["category"],
            "department": parts[0].get("department") or ORGS[i % len(ORGS)], "region": parts[0]["region"],
            "codes": [], "checksum": "",
        })
    return docs


def raw_top_k(backend, queries: list[str], rounds: int) -> list[float]:
    """The floor of the embedded backend: the same Tantivy query, top 10 addresses only (no count, no facets,
    no stored documents, no highlighting)."""
    from zhunru.search.analysis import plan_query

    searcher = backend._open().searcher()
    compiled = {q: backend._plan_query(plan_query(q), {}) for q in queries}
    timings = []
    for _ in range(rounds):
        for q in queries:
            t0 = time.perf_counter()
            searcher.search(compiled[q], 10, count=False)
            timings.append((time.perf_counter() - t0) * 1000)
    return timings


def truth(docs: list[dict], queries: list[str]) -> dict[str, int]:
    hay = [d["title"] + "，" + d["text"] for d in docs]
    return {q: sum(1 for h in hay if q in h) for q in queries}


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def time_queries(fn, queries: list[str], rounds: int) -> tuple[list[float], dict[str, int]]:
    timings, totals = [], {}
    for _ in range(rounds):
        for q in queries:
            t0 = time.perf_counter()
            totals[q] = fn(q)
            timings.append((time.perf_counter() - t0) * 1000)
    return timings, totals


def recall(totals: dict[str, int], expected: dict[str, int]) -> float:
    """Mean over queries of min(found, expected) / expected (counts: no false-positive credit)."""
    parts = [min(totals.get(q, 0), e) / e for q, e in expected.items() if e]
    return sum(parts) / len(parts) if parts else 1.0


def bench_backend(backend, docs, queries, rounds):
    from zhunru.search.analysis import plan_query

    t0 = time.perf_counter()
    backend.rebuild(iter(docs), total=len(docs))
    build = time.perf_counter() - t0
    backend.search(plan_query(queries[0]))  # warm
    timings, totals = time_queries(lambda q: backend.search(plan_query(q), per_page=10).total, queries, rounds)
    return build, timings, totals


def bench_wagtail_db(docs, queries, rounds):
    from django.db import transaction
    from wagtail.documents import get_document_model
    from wagtail.search.backends import get_search_backend

    Document = get_document_model()
    Document.objects.all().delete()
    t0 = time.perf_counter()
    with transaction.atomic():
        Document.objects.bulk_create(
            [Document(title=(d["title"] + "，" + d["text"])[:255], file=f"bench/{i}.pdf") for i, d in enumerate(docs)],
            batch_size=2000,
        )
    backend = get_search_backend("default")
    objs = list(Document.objects.all())
    for start in range(0, len(objs), 2000):
        backend.add_bulk(Document, objs[start:start + 2000])
    build = time.perf_counter() - t0

    def query(q: str) -> int:
        results = backend.search(q, Document.objects.all())
        total = results.count()
        list(results[:10])  # the first page, as the other backends return it
        return total

    query(queries[0])  # warm
    timings, totals = time_queries(query, queries, rounds)
    return build, timings, totals, backend.__class__.__name__


def setup_django(tmp: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "deploy.settings.test"
    os.environ.pop("DATABASE_URL", None)  # always a private SQLite file: the DB backend is measured on SQLite
    import django
    from django.conf import settings

    django.setup()
    settings.DATABASES["default"]["NAME"] = str(tmp / "bench.sqlite3")
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def run(docs_n: int | None = None, n_queries: int | None = None, skip_es: bool = False, skip_db: bool = False,
        rounds: int = 3, compare_docs: int | None = None, realistic: bool = False) -> list[tuple[str, str, str]]:
    quick = os.environ.get("ZHUNRU_BENCH_QUICK") == "1"
    docs_n = docs_n or (10_000 if quick else 100_000)
    compare_n = min(compare_docs or docs_n, docs_n)
    queries = QUERIES[: n_queries or len(QUERIES)]
    tmp = Path(tempfile.mkdtemp(prefix="zhunru-bench-search-"))
    setup_django(tmp)
    logging.getLogger("elastic_transport").setLevel(logging.WARNING)  # not a line per request
    from zhunru.search.backends.elasticsearch import ElasticsearchBackend
    from zhunru.search.backends.embedded import EmbeddedBackend
    from zhunru.search.backends.sqlite_fts import SqliteFtsBackend

    rows: list[tuple[str, str, str]] = []
    t0 = time.perf_counter()
    docs = generate_realistic(docs_n) if realistic else generate(docs_n)
    rows.append(("search", "documents / queries / rounds" + (" (realistic ~900 characters)" if realistic else ""),
                 f"{docs_n} / {len(queries)} / {rounds} (generated in {time.perf_counter() - t0:.1f} s)"))
    measured: dict[tuple[str, int], tuple[float, float]] = {}  # (backend, documents) -> (p95, recall)

    def report(name: str, n: int, build: float, timings: list[float], totals: dict[str, int],
               expected: dict[str, int]) -> None:
        label = f"{name}, {n} docs"
        p95, found = percentile(timings, 95), recall(totals, expected)
        rows.append(("search", f"{label} build", f"{build:.1f} s ({n / build:,.0f} docs/s)"))
        rows.append(("search", f"{label} query p50 / p95",
                     f"{percentile(timings, 50):.1f} / {p95:.1f} ms ({len(timings)} queries)"))
        rows.append(("search", f"{label} recall", f"{found * 100:.1f} %"))
        measured[(name, n)] = (p95, found)

    def local(name: str, backend_class, n: int) -> None:
        from zhunru.search.analysis import plan_query

        subset = docs[:n]
        params = {"PATH": str(tmp / f"{name}-{n}"), "LOCK_TIMEOUT": 60}
        backend = backend_class(params)
        # The same index without the bounds of issue 21 item 5 (every match counted, facets over all of them):
        # the peer of the bounded figures, measured in the same run; its exact totals give the recall (the
        # bounded totals stop at TOTAL_HITS_THRESHOLD).
        unbounded = backend_class({**params, "TOTAL_HITS_THRESHOLD": 10**12, "FACET_SAMPLE_SIZE": 10**12})
        try:
            build, timings, _capped = bench_backend(backend, subset, queries, rounds)
            exact, totals = time_queries(lambda q: unbounded.search(plan_query(q), per_page=10).total, queries, rounds)
            report(name, n, build, timings, totals, truth(subset, queries))
            rows.append(("search", f"{name}, {n} docs, exact totals and facets (unbounded) query p50 / p95",
                         f"{percentile(exact, 50):.1f} / {percentile(exact, 95):.1f} ms ({len(exact)} queries)"))
            if backend_class is EmbeddedBackend:
                raw = raw_top_k(backend, queries, rounds)
                rows.append(("search", f"{name}, {n} docs, raw Tantivy top-10 (same query, no count, no facets, "
                             "no stored fields) p50 / p95",
                             f"{percentile(raw, 50):.1f} / {percentile(raw, 95):.1f} ms ({len(raw)} queries)"))
        finally:
            backend.close()
            unbounded.close()

    # The local backends load fast: always on every document, and on the comparison set if smaller.
    for n in dict.fromkeys([docs_n, compare_n]):
        local("embedded (tantivy)", EmbeddedBackend, n)
        local("fts5 (sqlite)", SqliteFtsBackend, n)

    sub = docs[:compare_n]
    sub_expected = truth(sub, queries)
    if not skip_es:
        try:
            from tests.search.conftest import OsmemProcess, es_params

            server = OsmemProcess().start()
            try:
                # Exact totals (track_total_hits up to 10^9): recall is read from them.
                es = ElasticsearchBackend({**es_params(server.url, index="bench"), "TIMEOUT": 300,
                                           "TOTAL_HITS_THRESHOLD": 10**9})
                report("elasticsearch@osmem (test server, not a cluster)", compare_n,
                       *bench_backend(es, sub, queries, rounds), sub_expected)
            finally:
                server.stop()
        except Exception as exc:
            rows.append(("search", "elasticsearch@osmem", f"skipped: {exc}"))

    if not skip_db:
        build, timings, totals, class_name = bench_wagtail_db(sub, queries, rounds)
        db = f"wagtail-db ({class_name}, SQLite)"
        report(db, compare_n, build, timings, totals, sub_expected)
        db_p95, db_recall = measured[(db, compare_n)]
        for (name, n), (p95, found) in measured.items():
            if n == compare_n and name != db:
                rows.append(("search", f"{name} vs wagtail-db p95, {n} docs",
                             f"{db_p95 / p95:,.0f}x faster (recall {found * 100:.1f} % vs {db_recall * 100:.1f} %)"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=None, help="generated documents (default 100,000)")
    parser.add_argument("--queries", type=int, default=None, help=f"queries of the {len(QUERIES)} (default all)")
    parser.add_argument("--rounds", type=int, default=3, help="times each query is run on each backend (default 3)")
    parser.add_argument("--skip-es", action="store_true", help="leave out the Elasticsearch backend on osmem")
    parser.add_argument("--skip-db", action="store_true", help="leave out Wagtail's database backend")
    parser.add_argument("--compare-docs", type=int, default=None,
                        help="documents loaded into osmem and the database backend (default: all of --docs)")
    parser.add_argument("--realistic", action="store_true",
                        help="~900-character documents built from the relevance set's case texts, with realistic facets")
    args = parser.parse_args()
    rows = run(args.docs, args.queries, args.skip_es, args.skip_db, rounds=args.rounds, compare_docs=args.compare_docs,
               realistic=args.realistic)
    width = max(len(r[1]) for r in rows)
    for _bench, metric, value in rows:
        print(f"{metric:<{width}}  {value}")


if __name__ == "__main__":
    main()
