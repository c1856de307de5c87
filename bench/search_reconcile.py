"""Search reconciliation's peak memory at a large document count: the streaming ``indexing.reconcile``
(chunks of 1,000 checked against the index, orphans found through 8-byte id hashes) beside the previous
approach (every database document and every index checksum in two dicts), measured in the same run.

An embedded (Tantivy) index of N documents is built once; the "database" is a generator of N realistic
documents (~900 characters each, made while iterating, as ``documents.iter_documents`` makes them) of which
1 % are stale in the index and 1 % missing from it, and the index holds 1 % orphans. Each approach runs in a
process of its own; its peak is the growth of the maximum resident set size (``resource.getrusage``) over
the process's resident size just before it started. The index documents carry short text (building is not what is measured).

    .venv/bin/python bench/search_reconcile.py [--docs N]      # 200,000 by default; the issue's mark is 1M
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PARAGRAPH = ("经核查，该单位在招标文件中要求外地投标人须在本县注册成立分公司，并提供本地社保缴纳证明，"
             "对外地经营主体设置了市场准入隐性壁垒，违反了《招标投标法》关于不得以不合理条件限制、排斥潜在投标人的规定。"
             "县发展改革局会同有关部门督促整改，删除相关条款，重新发布招标公告，并对同类文件开展专项排查。")


def setup() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "deploy.settings.test"
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()


def database(n: int):
    """The documents the database would give: ids 0..n-1, 1 % (i % 100 == 1) absent from the index."""
    for i in range(n):
        yield {"id": f"case:{i}", "type": "case", "type_label": "典型案例", "title": f"第{i}号案例",
               "summary": "", "text": (PARAGRAPH * 5)[: 880 + i % 40], "date": "2025-03-01", "year": 2025,
               "category": "招标投标", "department": "县发展改革局", "region": "甲县", "codes": [],
               "url": f"/cases/{i}/", "checksum": f"{i:032x}"}


def index_side(n: int):
    """What the index holds: 1 % missing (i % 100 == 1), 1 % stale (== 2), 1 % orphans (ids beyond n)."""
    for i in range(n):
        if i % 100 == 1:
            continue
        yield {"id": f"case:{i}", "type": "case", "title": "短", "text": "短文", "date": "2025-03-01",
               "checksum": "stale" if i % 100 == 2 else f"{i:032x}"}
    for j in range(n // 100):
        yield {"id": f"case:{n + j}", "type": "case", "title": "短", "text": "短文", "checksum": "orphan"}


def old_reconcile(backend, docs) -> dict:
    """The approach before issue 21 (search/indexing.py until then), with the writes left out."""
    indexed = backend.checksums()
    expected = {doc["id"]: doc for doc in docs}
    repair = [doc for doc_id, doc in expected.items() if indexed.get(doc_id) != doc["checksum"]]
    orphans = [doc_id for doc_id in indexed if doc_id not in expected]
    missing = sum(1 for doc in repair if doc["id"] not in indexed)
    return {"documents": len(expected), "missing": missing, "stale": len(repair) - missing, "orphans": len(orphans)}


class DryRun:
    """The index, read for real; writes counted, not applied, so both approaches see the same index."""

    def __init__(self, backend):
        self.backend = backend

    def __getattr__(self, name):
        return getattr(self.backend, name)

    def bulk_index(self, docs, progress=None) -> int:
        return len(docs)

    def delete_documents(self, doc_ids) -> None:
        return None


def child(mode: str, path: str, n: int) -> None:
    setup()
    from zhunru.search import indexing
    from zhunru.search.backends.embedded import EmbeddedBackend

    backend = DryRun(EmbeddedBackend({"PATH": path, "LOCK_TIMEOUT": 60}))
    backend.count()  # open the index before the baseline
    base = current_rss_kib()
    started = time.perf_counter()
    stats = old_reconcile(backend, database(n)) if mode == "old" else indexing.reconcile(backend, database(n))
    seconds = time.perf_counter() - started
    # Peak of the whole process (KiB on Linux) over its size just before: an upper bound of what the
    # reconciliation added (start-up, e.g. building the traditional-character table, may have peaked higher).
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"stats": stats, "peak_mib": (peak - base) / 1024, "base_mib": base / 1024,
                      "seconds": seconds}))


def current_rss_kib() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() // 1024


def run(n: int | None = None) -> list[tuple[str, str, str]]:
    n = n or int(os.environ.get("ZHUNRU_BENCH_RECONCILE_DOCS") or (20_000 if os.environ.get("ZHUNRU_BENCH_QUICK") else 200_000))
    setup()
    from zhunru.search.backends.embedded import EmbeddedBackend

    path = tempfile.mkdtemp(prefix="zhunru-bench-reconcile-")
    started = time.perf_counter()
    EmbeddedBackend({"PATH": path, "LOCK_TIMEOUT": 60}).rebuild(index_side(n))
    rows = [("search_reconcile", "documents / index build", f"{n:,} / {time.perf_counter() - started:.0f} s")]
    for mode, label in (("old", "all in memory (before)"), ("new", "streaming (indexing.reconcile)")):
        out = subprocess.run([sys.executable, __file__, "--child", mode, path, str(n)], capture_output=True,
                             text=True, check=True, cwd=ROOT)
        result = json.loads(out.stdout.strip().splitlines()[-1])
        rows.append(("search_reconcile", f"{label}: peak RSS growth",
                     f"{result['peak_mib']:.0f} MiB over {result['base_mib']:.0f} MiB at start, "
                     f"{result['seconds']:.1f} s, {result['stats']}"))
    return rows


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], int(sys.argv[4]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=None)
    args = parser.parse_args()
    for _bench, label, value in run(args.docs):
        print(f"{label:<50} {value}")


if __name__ == "__main__":
    main()
