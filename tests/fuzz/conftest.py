"""The API fuzzing job (issue 23, item 8): collected only when ``ZHUNRU_FUZZ=1`` (``.ci/jobs/fuzz``), so the
main test run never imports schemathesis nor spends a second on it."""

import os

FUZZ = os.environ.get("ZHUNRU_FUZZ") == "1"

if not FUZZ:
    collect_ignore_glob = ["test_*.py"]


def pytest_terminal_summary(terminalreporter):
    if not FUZZ:
        return
    from tests.fuzz.test_api_fuzz import STATS

    if STATS.cases:
        terminalreporter.write_line(STATS.summary())
