"""The local backends' writer lock (zhunru.search.backends.directory): two writers (threads or processes) never write
at once, for the embedded Tantivy index and the SQLite FTS5 fallback alike."""

import subprocess
import sys
import threading

import pytest

from zhunru.search.analysis import plan_query
from zhunru.search.backends import SearchUnavailable
from zhunru.search.backends.embedded import EmbeddedBackend
from zhunru.search.backends.sqlite_fts import SqliteFtsBackend

BACKENDS = [EmbeddedBackend, SqliteFtsBackend]

WRITER = """
import sys
from django.utils.module_loading import import_string
Backend = import_string(sys.argv[3])
b = Backend({"PATH": sys.argv[1], "LOCK_TIMEOUT": 60})
for i in range(25):
    b.index_document({"id": f"{sys.argv[2]}:{i}", "type": "policy", "title": f"并发写入测试{i}"})
"""


def dotted(cls) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


@pytest.mark.parametrize("Backend", BACKENDS)
def test_a_held_lock_makes_other_writers_wait_then_give_up(tmp_path, Backend):
    a = Backend({"PATH": str(tmp_path), "LOCK_TIMEOUT": 5})
    b = Backend({"PATH": str(tmp_path), "LOCK_TIMEOUT": 0.2})
    a.index_document({"id": "x:1", "type": "policy", "title": "第一篇"})
    held, release = threading.Event(), threading.Event()

    def hold():
        with a._write_lock():
            held.set()
            release.wait(5)

    t = threading.Thread(target=hold)
    t.start()
    held.wait(5)
    with pytest.raises(SearchUnavailable):
        b.index_document({"id": "x:2", "type": "policy", "title": "第二篇"})
    release.set()
    t.join()
    b.index_document({"id": "x:2", "type": "policy", "title": "第二篇"})
    assert b.search(plan_query("第二")).total == 1
    assert a.search(plan_query("第二")).total == 1  # another instance sees the other's write


@pytest.mark.parametrize("Backend", BACKENDS)
def test_two_processes_writing_concurrently_lose_nothing(tmp_path, Backend):
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), name, dotted(Backend)])
             for name in ("p", "q")]
    assert [p.wait(120) for p in procs] == [0, 0]
    backend = Backend({"PATH": str(tmp_path)})
    assert backend.count() == 50
    assert backend.search(plan_query("并发写入"), per_page=5).total == 50


def test_fts_readers_follow_a_rebuild_in_another_instance(tmp_path):
    reader = SqliteFtsBackend({"PATH": str(tmp_path)})
    writer = SqliteFtsBackend({"PATH": str(tmp_path)})
    writer.rebuild([{"id": "a:1", "type": "policy", "title": "重建之前"}])
    assert reader.search(plan_query("之前")).total == 1
    writer.rebuild([{"id": "a:2", "type": "policy", "title": "重建之后"}])
    assert reader.search(plan_query("之前")).total == 0
    assert reader.search(plan_query("之后")).total == 1
    assert [p.name for p in tmp_path.glob("index-*")] == [writer._current_name()]
    reader.close()
    writer.close()


def test_fts_turns_a_broken_index_file_into_unavailable(tmp_path):
    backend = SqliteFtsBackend({"PATH": str(tmp_path)})
    backend.index_document({"id": "a:1", "type": "policy", "title": "正常文档"})
    backend.close()
    (tmp_path / backend._current_name() / "index.sqlite3").write_bytes(b"not a database" * 100)
    with pytest.raises(SearchUnavailable):
        backend.search(plan_query("正常"))
    assert backend.health()["ok"] is False
