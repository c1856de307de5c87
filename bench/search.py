"""Search benchmark: N generated Chinese documents (100,000 by default), build time, query p50/p95, recall.

Every backend gets the same documents, the same queries and the same rounds, in one run:
- embedded: Tantivy with CJK bigrams (``zhunru.search.backends.embedded``), the default;
- fts5: SQLite FTS5 over the same bigrams (``zhunru.search.backends.sqlite_fts``), the dependency-free fallback;
- elasticsearch@osmem: the Elasticsearch backend over HTTP against osmem-server, an in-memory
  OpenSearch-compatible test server: its figures say nothing about a real cluster's speed;
- wagtail-db: Wagtail's default database search backend (modelsearch) on SQLite, indexing the
  same text as document titles (255 characters; the other backends get the same truncated text): raw
  Chinese, which its tokenizer cannot split (recall 0 %), so unfair to it;
- wagtail-db on PostgreSQL with the same bigram tokens (``wagtail_pg``: modelsearch's PostgresSearchBackend,
  ``simple`` configuration, title and full text), the fair peer: a scratch database ``zhunru_bench_search``
  on ``ZHUNRU_BENCH_PG_URL`` (default postgres://postgres@127.0.0.1:5432/test), dropped afterwards.

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

``--realistic`` builds ~900-character case reports from the relevance set's cases and the seed notices
(``generate_realistic``: titles, fields, places, departments, years as facets) instead of the 87-character
word salad, and first measures issue 21's goal on the embedded backend (``api_vs_raw``): ``GET
/api/v1/search/`` through Django's test client beside the raw Tantivy top-10 of the same query plan, p50 /
p95 / p99, for the keyword queries and for 20 natural (sentence) queries of the relevance set, with the
steps in between and the index size per document. Building 100,000 such documents takes minutes on a
loaded machine: ``--index-dir DIR`` keeps that index and later runs reuse it (the backends are then
compared on ``--compare-docs`` documents only); ``--api-only`` measures just the API section.

    .venv/bin/python bench/search.py [--docs N] [--compare-docs N] [--queries N] [--rounds N] [--skip-es] [--skip-db]
                                     [--skip-pg] [--realistic] [--index-dir DIR] [--api-only] [--natural N]

Issue 21's figure: ``bench/search.py --realistic --docs 100000 --compare-docs 10000 --index-dir DIR``.
"""

import argparse
import functools
import logging
import os
import random
import re
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


SEEDS = Path("/work/shared/seeds")
PLACES = 200
PLACE_HEADS = "长平安宁新永清河东西南北江山阳丰兴华德泰和光明盛惠通武文昌汉洛临定"
PLACE_TAILS = "水城源原川溪台林宁化安阳山口州江川丰泽远乐福"
SECTION_FACTS = ("基本情况", "问题线索", "案情简介")
SECTION_CHECK = ("核查处理", "调查核实", "处理情况")
SECTION_RESULT = ("整改成效", "整改落实", "后续跟踪")
SECTION_MEANING = ("典型意义", "经验启示", "工作要求")
RESULT_TEMPLATES = (
    "截至{year}年{month}月，{region}共排查涉及经营主体准入的政策文件{a}件，修订{b}件，废止{c}件。",
    "{region}发展改革部门对同类问题开展专项排查，梳理招标文件、采购文件和审批事项{a}项，发现并整改问题{b}个。",
    "整改完成后，已有{b}家外地经营主体在{region}参与相关项目，涉及合同金额约{d}万元。",
    "相关单位在{days}个工作日内反馈了整改情况和印证材料，{region}发展改革部门组织回访，经营主体对整改结果表示满意。",
    "该线索按照一日移交、三日核查、七日整改的时限办结，整改报告及印证材料已归档，案例编号{abbr}发改案〔{year}〕{n}号。",
    "{region}将该案例纳入违规案例库，在门户网站公开通报，并对{a}个部门开展集中约谈提醒。",
    "同期，{region}对{a}家中介机构、{b}个政务服务事项的办理要件进行比对，取消无法定依据的材料{c}项。",
    "问题整改情况已报送上级发展改革部门，并通过信用中国网站和省公共信用信息平台共享相关信息。",
)
CLOSINGS = (
    "下一步，{region}将持续开展市场准入壁垒排查清理，畅通问题线索征集渠道，对发现的问题即知即改。",
    "各地各部门要引以为戒，严格落实“全国一张清单”管理要求，不得在清单之外另设准入条件。",
    "该案例表明，破除市场准入壁垒需要部门协同、闭环管理，做到预防、发现、整改、提升环环相扣。",
)
DETAIL_TEMPLATES = (
    "涉事项目总投资约{d}万元，资金来源为财政性资金，原定于{year}年{month}月开标。",
    "受上述条件影响，{b}家外地经营主体未能通过资格审查，实际参与竞争的仅有{c}家本地企业。",
    "企业表示，为满足上述要求需额外投入资金约{d}万元，经营成本明显增加。",
    "反映人同时提供了相关文件截图、沟通记录等印证材料共{a}份。",
    "据了解，类似要求在{region}相关行业已执行{c}年以上，涉及项目{a}个。",
    "{dept}在答复企业时称，相关要求系“行业惯例”，但未能提供法律法规依据。",
)
CHECK_TEMPLATES = (
    "{region}发展改革部门于收到线索当日登记，并在1个工作日内移交{dept}核查。",
    "{dept}在3个工作日内完成核查，确认相关条款缺乏法律法规依据，并提出整改意见。",
    "核查中，{region}发展改革部门调阅了相关文件{a}份，约谈了{dept}有关负责人。",
    "{region}发展改革部门会同司法行政部门对相关条款进行了合法性审查，认定其属于在清单之外违规设置的准入条件。",
    "经比对市场准入负面清单，相关事项不属于禁止准入类或许可准入类事项，各类经营主体可依法平等进入。",
)


@functools.cache
def _pools() -> tuple[list[str], list[dict]]:
    """The seed notices' sentences that speak of access, barriers, leads, rectification, cases, lists or
    credit (what a report's closing section restates), and the relevance set's cases."""
    from tests.search import relevance

    seed = []
    if SEEDS.is_dir():
        for path in sorted(SEEDS.glob("*.txt")):
            for sentence in re.split(r"(?<=[。；])", re.sub(r"\s+", "", path.read_text(encoding="utf-8"))):
                sentence = re.sub(r"^[（(][一二三四五六七八九十]+[)）]|^[一二三四五六七八九十]+、", "", sentence)
                if "#" in sentence or re.search(r"[（(][一二三四五六七八九十]+[)）]|机制[一二三四五六七八九十]、", sentence):
                    continue  # a heading run into its first sentence
                if 20 <= len(sentence) <= 160 and re.search("准入|壁垒|线索|整改|案例|清单|核查|信用|竞争|经营主体", sentence):
                    seed.append(sentence[:-1] + "。" if sentence.endswith("；") else sentence)
    return seed, relevance.cases()


def generate_realistic(n: int, seed: int = 20261204) -> list[dict]:
    """Documents shaped like the NDRC's typical-case reports (issue 21 item 7), about 900 characters each (750
    to 1,100): one case of the relevance set (tests/search/data/, ~206 characters) gives the title, field,
    department and its own sentences (facts, how the lead came in, legal ground, remedy), set in a report's
    four sections (基本情况, 核查处理, 整改成效, 典型意义) and filled out with detail, verification and result
    sentences carrying their own figures and the seed notices' sentences (/work/shared/seeds/, restated in
    the closing section). Every document is set in one of 200 places (replacing the case's), with
    its own dates and numbers. Facets: type, field, year, department, region."""
    seed_sentences, cases = _pools()
    rnd = random.Random(seed)
    # An installation of a province's size: 200 places (each a 县, 区 or 市 as its case is) and their departments.
    places = rnd.sample([h + t for h in PLACE_HEADS for t in PLACE_TAILS if h != t], PLACES)
    docs = []
    for i in range(n):
        case = rnd.choice(cases)
        suffix = case["region"][-1]
        region = rnd.choice(places) + suffix
        year = 2018 + rnd.randrange(8)
        department = case.get("department") or ORGS[i % len(ORGS)]
        dept = region + department[1:] if department[:1] in "县区市" else department
        values = {"year": year, "month": rnd.randint(1, 12), "a": rnd.randint(3, 60), "b": rnd.randint(2, 20),
                  "c": rnd.randint(1, 9), "d": rnd.randint(50, 9000), "days": rnd.choice((3, 5, 7, 10)),
                  "n": rnd.randint(1, 80), "abbr": region[:1], "region": region, "dept": dept}
        own = [re.sub(r"20\d\d年", f"{year - 1}年", p.replace(case["region"], region))
               for p in re.split(r"(?<=[。])", case["text"]) if p.strip()]
        legal = next((k for k, p in enumerate(own) if p.startswith(("经核查", "经查", "经调查"))), len(own) - 1)
        details = [t.format(**values) for t in rnd.sample(DETAIL_TEMPLATES, len(DETAIL_TEMPLATES))]
        checks = [t.format(**values) for t in rnd.sample(CHECK_TEMPLATES, len(CHECK_TEMPLATES))]
        results = [t.format(**values) for t in rnd.sample(RESULT_TEMPLATES, len(RESULT_TEMPLATES))]
        seeds = rnd.sample(seed_sentences, min(len(seed_sentences), 6))
        sections = [
            [rnd.choice(SECTION_FACTS), own[:legal] + [details.pop()]],
            [rnd.choice(SECTION_CHECK), [checks.pop()] + own[legal:]],
            [rnd.choice(SECTION_RESULT), [results.pop()]],
            [rnd.choice(SECTION_MEANING), [seeds.pop(), rnd.choice(CLOSINGS).format(**values)]],
        ]
        target = rnd.randint(750, 1100)
        length = sum(len(s) for _head, body in sections for s in body)
        while length < target - 40 and (details or checks or results or seeds):
            # A real report says more where it has more to say: which section grows varies by document.
            kind, source = rnd.choice([(k, src) for k, src in enumerate((details, checks, results, seeds)) if src])
            extra = source.pop()
            body = sections[kind][1]
            body.insert(len(body) - 1 if kind in (1, 3) else len(body), extra)
            length += len(extra)
        text = "".join(f"{k}、{head}。" + "".join(body) for k, (head, body) in zip("一二三四", sections, strict=True))
        title = case["title"].replace("某" + suffix, region, 1) if rnd.random() < 0.5 else case["title"]
        docs.append({
            "id": f"bench:{i}", "type": rnd.choice(("case", "case", "bulletin", "policy")), "type_label": "",
            "title": title, "summary": "", "text": text, "url": f"/b/{i}/",
            "date": f"{year}-{values['month']:02d}-{1 + i % 28:02d}", "year": year, "category": case["category"],
            "department": dept, "region": region, "codes": [], "checksum": "",
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


GENERATOR_VERSION = "realistic-3"  # a reused index (--index-dir) was built from the same generator and seed


def natural_queries(n: int) -> list[str]:
    """The first ``n`` natural (unspaced sentence) queries of the relevance set: citizens' queries."""
    from tests.search import relevance

    return [row["q"] for row in relevance.queries("natural")[:n]]


def built_index(root: Path, docs_n: int, make_docs) -> tuple[float | None, int]:
    """An embedded index of ``docs_n`` realistic documents in ``root``, built once and reused by later runs
    (a ``BUILT`` marker names the generator and the count): (build seconds, or None when reused; bytes)."""
    from zhunru.search.backends.embedded import EmbeddedBackend

    marker, stamp = root / "BUILT", f"{GENERATOR_VERSION} {docs_n}"
    build = None
    if not (marker.exists() and marker.read_text().strip() == stamp):
        backend = EmbeddedBackend({"PATH": str(root), "LOCK_TIMEOUT": 60})
        docs = make_docs()
        t0 = time.perf_counter()
        backend.rebuild(iter(docs), total=len(docs))
        build = time.perf_counter() - t0
        backend.close()
        marker.write_text(stamp)
    current = root / (root / "CURRENT").read_text().strip()
    return build, sum(f.stat().st_size for f in current.rglob("*") if f.is_file())


def api_vs_raw(root: Path, docs_n: int, make_docs, query_sets: dict[str, list[str]], rounds: int
               ) -> list[tuple[str, str, str]]:
    """Issue 21's goal, in one run on one index: ``GET /api/v1/search/?q=`` through Django's test client (the
    whole request: URL routing, middleware, synonyms, query plan, search, highlighting, facets, JSON) beside
    the raw Tantivy top-10 of the same query plan (synonyms included), and the steps in between (the
    backend's search without facets, without highlighting) to show where the API's time goes."""
    from django.conf import settings
    from django.test import Client

    from zhunru.search import synonyms
    from zhunru.search.analysis import plan_query
    from zhunru.search.backends import get_backend, reset_backend

    rows: list[tuple[str, str, str]] = []
    build, size = built_index(root, docs_n, make_docs)
    label = f"embedded, {docs_n} realistic docs"
    rows.append(("search", f"{label} index", (f"built in {build:.1f} s ({docs_n / build:,.0f} docs/s)" if build
                 else f"reused from {root}") + f", {size / 2**20:,.0f} MiB, {size / docs_n:,.0f} bytes/doc"))
    settings.ZHUNRU_SEARCH = {**settings.ZHUNRU_SEARCH, "PATH": str(root)}
    reset_backend()
    backend = get_backend()
    client = Client()
    groups = synonyms.groups()

    def api(q: str) -> None:
        response = client.get("/api/v1/search/", {"q": q})
        assert response.status_code == 200, response.content[:200]
        response.json()

    searcher = backend._open().searcher()
    steps = {
        "API /api/v1/search/ (test client)": api,
        "backend.search (no HTTP, no JSON)": lambda q: backend.search(plan_query(q, groups)),
        "backend.search without facets": lambda q: backend.search(plan_query(q, groups), facets=()),
        "raw Tantivy top-10 (same plan, no count, facets, stored fields or highlighting)":
            lambda q: searcher.search(backend._plan_query(plan_query(q, groups), {}), 10, count=False),
    }
    for kind, queries in query_sets.items():
        for fn in steps.values():
            fn(queries[0])  # warm
        timings: dict[str, list[float]] = {name: [] for name in steps}
        for _ in range(rounds):
            for q in queries:
                for name, fn in steps.items():  # interleaved: every step sees the same machine load
                    t0 = time.perf_counter()
                    fn(q)
                    timings[name].append((time.perf_counter() - t0) * 1000)
        for name, values in timings.items():
            rows.append(("search", f"{label}, {kind} queries, {name} p50 / p95 / p99",
                         f"{percentile(values, 50):.1f} / {percentile(values, 95):.1f} / {percentile(values, 99):.1f} ms"
                         f" ({len(values)} queries)"))
        api_p95 = percentile(timings["API /api/v1/search/ (test client)"], 95)
        raw_p95 = percentile(timings[list(steps)[-1]], 95)
        rows.append(("search", f"{label}, {kind} queries, API p95 / raw top-10 p95",
                     f"{api_p95 / raw_p95:.2f}x (goal: p95 < 50 ms and within 1.5x)"))
    reset_backend()
    return rows


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


PG_URL = os.environ.get("ZHUNRU_BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/test")
PG_DATABASE = "zhunru_bench_search"  # a scratch database of its own on that server, dropped afterwards


def wagtail_pg(spec: dict, queries: list[dict], rounds: int, tmp: Path) -> dict:
    """Wagtail's database backend on PostgreSQL (``wagtail.search.backends.database``: modelsearch's
    PostgresSearchBackend, tsvector with the ``simple`` configuration, ts_rank) fed the same CJK bigram tokens
    as the embedded index: a scratch database (``PG_DATABASE``) on ``ZHUNRU_BENCH_PG_URL``, migrated and
    loaded in a child process, dropped afterwards. ``spec`` names the documents (``{"kind": "generated" |
    "realistic" | "relevance", "n": N}``: regenerated in the child from the same seed); each query is
    ``{"q": text, "operator": "and" | "or"}``. Returns ``{"build": s, "class": name, "results":
    [{"ms": [per round], "total": n, "ids": [top 10]}]}``."""
    import json
    import subprocess

    sys.path.insert(0, str(ROOT / "bench"))
    from _db import private_database

    job = tmp / "wagtail-pg.json"
    job.write_text(json.dumps({"spec": spec, "queries": queries, "rounds": rounds}), encoding="utf-8")
    saved = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = PG_URL
    try:
        with private_database(tmp, PG_DATABASE) as url:
            env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "deploy.settings.test"}
            env.pop("REDIS_URL", None)
            result = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--wagtail-pg-child", str(job)],
                                    cwd=ROOT, env=env, capture_output=True, text=True, timeout=7200)
            if result.returncode != 0:
                raise RuntimeError((result.stderr.strip().splitlines() or ["no output"])[-1][:300])
    finally:
        if saved is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = saved
    return json.loads((tmp / "wagtail-pg.out.json").read_text(encoding="utf-8"))


def wagtail_pg_child(job_path: str) -> None:
    """The child of :func:`wagtail_pg`: migrate, load, index, query; writes its figures beside the job file."""
    import json

    job = json.loads(Path(job_path).read_text(encoding="utf-8"))
    import django
    from django.conf import settings

    django.setup()
    settings.WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database",
                                                   "SEARCH_CONFIG": "simple"}}
    from django.core.management import call_command
    from django.db import transaction
    from wagtail.documents import get_document_model
    from wagtail.search import index
    from wagtail.search.backends import get_search_backend

    from zhunru.search.analysis import analyzed

    call_command("migrate", verbosity=0, interactive=False)
    spec = job["spec"]
    if spec["kind"] == "relevance":
        from tests.search import relevance

        docs = relevance.documents()
    else:
        docs = (generate_realistic if spec["kind"] == "realistic" else generate)(spec["n"])
    Document = get_document_model()
    bodies: dict[int, str] = {}

    class BenchText(Document):
        """A document whose index entry is the bigram tokens of a benchmark document: its title (in
        ``title``, weighted as Wagtail weighs titles) and its text (``bench_body``)."""

        search_fields = [index.SearchField("title", boost=2), index.SearchField("bench_body")]

        class Meta:
            proxy = True
            app_label = Document._meta.app_label

        @property
        def bench_body(self) -> str:
            return bodies.get(self.pk, "")

    t0 = time.perf_counter()
    with transaction.atomic():
        objs = BenchText.objects.bulk_create(
            [BenchText(title=analyzed(d["title"])[:255], file=f"bench/{i}.pdf") for i, d in enumerate(docs)],
            batch_size=2000)
    ids = {}
    for obj, d in zip(objs, docs, strict=True):
        bodies[obj.pk] = analyzed(" ".join(filter(None, [d.get("summary"), d.get("text")])))
        ids[obj.pk] = d["id"]
    backend = get_search_backend("default")
    for start in range(0, len(objs), 1000):
        backend.add_bulk(Document, objs[start:start + 1000])  # the concrete model's content type, as Wagtail indexes
    build = time.perf_counter() - t0

    def query(q: str, operator: str) -> tuple[int, list[str]]:
        results = backend.search(analyzed(q), Document.objects.all(), operator=operator)
        return results.count(), [ids[o.pk] for o in results[:10]]

    query(job["queries"][0]["q"], job["queries"][0]["operator"])  # warm
    out = []
    for row in job["queries"]:
        ms = []
        for _ in range(job["rounds"]):
            t1 = time.perf_counter()
            total, top = query(row["q"], row["operator"])
            ms.append((time.perf_counter() - t1) * 1000)
        out.append({"ms": ms, "total": total, "ids": top})
    Path(job_path).with_suffix(".out.json").write_text(json.dumps(
        {"build": build, "class": backend.__class__.__name__, "results": out}), encoding="utf-8")


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
        rounds: int = 3, compare_docs: int | None = None, realistic: bool = False, api_only: bool = False,
        index_dir: str | None = None, natural: int = 20, skip_pg: bool = False) -> list[tuple[str, str, str]]:
    quick = os.environ.get("ZHUNRU_BENCH_QUICK") == "1"
    docs_n = docs_n or (10_000 if quick else 100_000)
    compare_n = min(compare_docs or docs_n, docs_n)
    queries = QUERIES[: n_queries or len(QUERIES)]
    tmp = Path(tempfile.mkdtemp(prefix="zhunru-bench-search-"))
    setup_django(tmp)
    if realistic or api_only:
        api_rows = api_vs_raw(Path(index_dir) if index_dir else tmp / "api-index", docs_n,
                              lambda: generate_realistic(docs_n),
                              {"keyword": queries, "natural": natural_queries(natural)}, rounds)
        if api_only:
            return api_rows
    logging.getLogger("elastic_transport").setLevel(logging.WARNING)  # not a line per request
    from zhunru.search.backends.elasticsearch import ElasticsearchBackend
    from zhunru.search.backends.embedded import EmbeddedBackend
    from zhunru.search.backends.sqlite_fts import SqliteFtsBackend

    rows: list[tuple[str, str, str]] = []
    t0 = time.perf_counter()
    docs = generate_realistic(docs_n) if realistic else generate(docs_n)
    rows.append(("search", "documents / queries / rounds" + (" (realistic ~900 characters)" if realistic else ""),
                 f"{docs_n} / {len(queries)} / {rounds} (generated in {time.perf_counter() - t0:.1f} s)"))
    if realistic:
        rows.extend(api_rows)
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

    # The local backends load fast: always on every document, and on the comparison set if smaller; with a
    # reused realistic index (--index-dir) the embedded backend at --docs is the API section's, and the
    # backends are compared on --compare-docs only.
    sizes = [compare_n] if realistic and index_dir and compare_n < docs_n else dict.fromkeys([docs_n, compare_n])
    for n in sizes:
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

    db = None
    if not skip_db:
        build, timings, totals, class_name = bench_wagtail_db(sub, queries, rounds)
        db = f"wagtail-db ({class_name}, SQLite, raw Chinese)"
        report(db, compare_n, build, timings, totals, sub_expected)
    if not skip_pg:
        try:
            out = wagtail_pg({"kind": "realistic" if realistic else "generated", "n": compare_n},
                             [{"q": q, "operator": "and"} for q in queries], rounds, tmp)
            db = f"wagtail-db ({out['class']}, PostgreSQL, same bigram tokens)"
            # Round by round, as the other backends are timed.
            timings = [r["ms"][k] for k in range(rounds) for r in out["results"]]
            report(db, compare_n, out["build"], timings, {q: r["total"] for q, r in zip(queries, out["results"],
                                                                                      strict=True)}, sub_expected)
        except Exception as exc:
            rows.append(("search", "wagtail-db on PostgreSQL", f"skipped: {exc}"))
    if db is not None:
        db_p95, db_recall = measured[(db, compare_n)]
        for (name, n), (p95, found) in measured.items():
            if n == compare_n and not name.startswith("wagtail-db"):
                rows.append(("search", f"{name} vs {db.split(',')[1].strip()} wagtail-db p95, {n} docs",
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
    parser.add_argument("--skip-pg", action="store_true",
                        help="leave out Wagtail's database backend on PostgreSQL (ZHUNRU_BENCH_PG_URL)")
    parser.add_argument("--wagtail-pg-child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--api-only", action="store_true",
                        help="only the API beside the raw engine on the embedded backend (realistic documents)")
    parser.add_argument("--index-dir", default=None,
                        help="keep the API run's embedded index here and reuse it in later runs (built once)")
    parser.add_argument("--natural", type=int, default=20, help="natural (sentence) queries of the relevance set")
    args = parser.parse_args()
    if args.wagtail_pg_child:
        return wagtail_pg_child(args.wagtail_pg_child)
    rows = run(args.docs, args.queries, args.skip_es, args.skip_db, rounds=args.rounds, compare_docs=args.compare_docs,
               realistic=args.realistic, api_only=args.api_only, index_dir=args.index_dir, natural=args.natural,
               skip_pg=args.skip_pg)
    width = max(len(r[1]) for r in rows)
    for _bench, metric, value in rows:
        print(f"{metric:<{width}}  {value}")


if __name__ == "__main__":
    main()
