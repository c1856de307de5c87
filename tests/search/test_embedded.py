"""The embedded index's writer lock: two writers (threads or processes) never write at once."""

import subprocess
import sys
import threading

import pytest

from search.analysis import plan_query
from search.backends import SearchUnavailable
from search.backends.embedded import EmbeddedBackend

WRITER = """
import sys
from search.backends.embedded import EmbeddedBackend
b = EmbeddedBackend({"PATH": sys.argv[1], "LOCK_TIMEOUT": 60})
for i in range(25):
    b.index_document({"id": f"{sys.argv[2]}:{i}", "type": "policy", "title": f"并发写入测试{i}"})
"""


def test_a_held_lock_makes_other_writers_wait_then_give_up(tmp_path):
    a = EmbeddedBackend({"PATH": str(tmp_path), "LOCK_TIMEOUT": 5})
    b = EmbeddedBackend({"PATH": str(tmp_path), "LOCK_TIMEOUT": 0.2})
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


def test_two_processes_writing_concurrently_lose_nothing(tmp_path):
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), name]) for name in ("p", "q")]
    assert [p.wait(120) for p in procs] == [0, 0]
    backend = EmbeddedBackend({"PATH": str(tmp_path)})
    assert backend.count() == 50
    assert backend.search(plan_query("并发写入"), per_page=5).total == 50
