"""Imports in short batches (zhunru.imports, issue 23): the longest single write transaction of a 5,000-row
negative-list edition import and of a 5,000-row 双公示 penalty import, beside the 1 s limit, and each whole
import's length (what one transaction held before the change).

On PostgreSQL the longest transaction is observed from outside: a second connection polls pg_stat_activity
every 10 ms for the importing backend's open write transaction (one with a transaction id), so the figure is
a lower bound within 10 ms. Beside it, the longest batch the helper itself timed (its batch_committed
signal). On SQLite only the latter. Own database ``bench_imports_<pid>``.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/imports.py
"""

import csv
import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _db import django_on_private_database  # noqa: E402

QUICK = os.environ.get("ZHUNRU_BENCH_QUICK") == "1"
ROWS = 1_000 if QUICK else 5_000
LIMIT_SECONDS = 1.0
POLL_SECONDS = 0.01


class LongestTransaction:
    """Polls pg_stat_activity from its own connection for ``pid``'s open write transaction."""

    def __init__(self, database_url: str, pid: int):
        self.url, self.pid, self.longest = database_url, pid, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll)

    def _poll(self) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self._stop.is_set():
                row = conn.execute(
                    "SELECT extract(epoch FROM clock_timestamp() - xact_start) FROM pg_stat_activity "
                    "WHERE pid = %s AND backend_xid IS NOT NULL AND xact_start IS NOT NULL", [self.pid]).fetchone()
                if row and row[0] is not None:
                    self.longest = max(self.longest, float(row[0]))
                time.sleep(POLL_SECONDS)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def _catalog_file(path: Path) -> Path:
    from zhunru.catalog.importers import COLUMNS

    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        for i in range(1, ROWS + 1):
            writer.writerow([i, f"基准许可事项{i}", f"2{i:05d}", f"未获得许可，不得从事经营{i}\n未获得许可，不得从事生产{i}",
                             "某主管部门", ""])
    return path


def _penalty_file(path: Path, subject) -> Path:
    from zhunru.credit.disclosure import PENALTY_FIELDS
    from zhunru.validators import uscc_check_character

    authority = "11360202MB1234567" + uscc_check_character("11360202MB1234567")
    labels = dict(PENALTY_FIELDS)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(labels.values()))
        writer.writeheader()
        for i in range(1, ROWS + 1):
            fields = dict(subject_name=subject.name, subject_category="法人及非法人组织", uscc=subject.uscc,
                          legal_representative="张三", document_number=f"测市监罚〔2026〕{i}号",
                          violation_type="未取得许可从事食品经营", facts="未取得食品经营许可证经营预包装食品",
                          basis="《中华人民共和国食品安全法》第一百二十二条", penalty_category="罚款",
                          penalty_content="罚款人民币五万元", fine_amount="5", decided_on="2026-11-20",
                          publicity_until="2027-11-20", authority_name="测试区市场监督管理局",
                          authority_uscc=authority, source_unit="测试区市场监督管理局", source_unit_uscc=authority)
            writer.writerow({label: fields.get(key, "") for key, label in labels.items()})
    return path


def _measure(label: str, database_url: str, postgres: bool, run) -> list[tuple[str, str, str]]:
    from django.db import connection

    from zhunru.imports import batch_committed

    batches: list[float] = []

    def timed(sender, seconds, **kwargs):
        batches.append(seconds)

    batch_committed.connect(timed)
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid if postgres else 0
    started = time.perf_counter()
    try:
        if postgres:
            with LongestTransaction(database_url, pid) as observed:
                run()
        else:
            run()
    finally:
        batch_committed.disconnect(timed)
    total = time.perf_counter() - started
    rows = [(label, f"whole import of {ROWS:,} rows (one transaction before the change)", f"{total:.1f} s"),
            (label, "batches", f"{len(batches)}")]
    if postgres:
        rows.append((label, f"longest write transaction seen in pg_stat_activity (limit {LIMIT_SECONDS:.0f} s)",
                     f"{observed.longest:.2f} s"))
    rows.append((label, f"longest batch timed by the helper (limit {LIMIT_SECONDS:.0f} s)", f"{max(batches):.2f} s"))
    return rows


def run() -> list[tuple[str, str, str]]:
    with django_on_private_database("zhunru-bench-imports-", f"bench_imports_{os.getpid()}") as (tmp, database_url):
        from django.db import connection

        from zhunru.catalog.importers import import_edition
        from zhunru.credit import disclosure
        from zhunru.credit.models import CreditPlatform, MarketSubject
        from zhunru.models import Department, Jurisdiction
        from zhunru.validators import uscc_check_character

        postgres = connection.vendor == "postgresql"
        engine = "PostgreSQL" if postgres else "SQLite"
        jurisdiction = Jurisdiction.objects.create(name="测试区", short_name="测", level="district",
                                                   division_code="360299", higher_office="测试市发展和改革委员会")
        Department.objects.create(jurisdiction=jurisdiction, name="测试区发展和改革委员会", is_lead=True)
        for code in ("national", "local"):  # two platforms: each decision queued twice, as in Jiangxi
            CreditPlatform.objects.create(name=f"平台{code}", code=code, endpoint_url="http://127.0.0.1:9/",
                                          hmac_key_ref="bench", jurisdiction=jurisdiction if code == "local" else None)
        subject = MarketSubject.objects.create(name="景德镇市基准陶瓷有限公司",
                                               uscc="91360202MA0000001" + uscc_check_character("91360202MA0000001"))
        catalog, penalties = _catalog_file(tmp / "list.csv"), _penalty_file(tmp / "penalties.csv", subject)

        rows = _measure(f"list edition import ({engine})", database_url, postgres,
                        lambda: import_edition(catalog, "2030年版"))
        rows += _measure(f"双公示 penalty import ({engine})", database_url, postgres,
                         lambda: disclosure.import_file(penalties, kind="penalty", jurisdiction=jurisdiction))
        return rows


if __name__ == "__main__":
    for benchmark, metric, value in run():
        print(f"{benchmark:<34} {metric:<72} {value}")
