import os
import subprocess
import sys

from .manifests import ROOT

GOOD = 'def run():\n    return [("fast", "items/s", "42")]\n'
BROKEN = 'def run():\n    raise RuntimeError("数据库不可用")\n'
SLOW = 'import time\n\ndef run():\n    time.sleep(60)\n    return []\n'


def test_run_all_prints_one_table_and_reports_failures_and_time_outs(tmp_path):
    for name, text in (("good", GOOD), ("broken", BROKEN), ("slow", SLOW), ("_helper", "x = 1\n")):
        (tmp_path / f"{name}.py").write_text(text)
    env = {**os.environ, "ZHUNRU_BENCH_DIR": str(tmp_path)}
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "run_all"), "--timeout", "3", "--quick"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    out = result.stdout
    assert result.returncode == 1  # something failed, and the table was printed all the same
    assert "cores" in out.splitlines()[0] and "quick mode" in out.splitlines()[0]
    assert out.splitlines()[1].startswith("load average")
    lines = {line.split()[0]: line for line in out.splitlines()[3:] if line.strip()}
    assert "42" in lines["fast"]
    assert "ok in" in out and "failed (exit 1): RuntimeError: 数据库不可用" in out
    assert "timed out after 3 s" in out
    assert "_helper" not in out


def test_run_all_markdown_and_one_benchmark_by_name(tmp_path):
    (tmp_path / "good.py").write_text(GOOD)
    (tmp_path / "other.py").write_text(BROKEN)
    env = {**os.environ, "ZHUNRU_BENCH_DIR": str(tmp_path)}
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "run_all"), "good", "--markdown"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "| fast | items/s | 42 |" in result.stdout and "other" not in result.stdout
