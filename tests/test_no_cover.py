"""Tests marked ``no_cover`` run untraced, on pytest-xdist's workers too (tests/conftest.py). Under ``make test``
(coverage on, two workers) the first test failed before that fix: a coverage tracer was installed inside it."""

import sys

import pytest

from tests.conftest import coverage_controller


def _coverage_tracer():
    tracer = sys.gettrace()
    return tracer if tracer is not None and type(tracer).__module__.startswith("coverage") else None


@pytest.mark.no_cover
def test_a_no_cover_test_runs_untraced():
    assert _coverage_tracer() is None


def test_other_tests_are_traced_when_coverage_is_on(request):
    if coverage_controller(request.config) is None:
        pytest.skip("coverage is off in this run")
    assert _coverage_tracer() is not None
