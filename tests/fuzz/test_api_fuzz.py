"""Schemathesis over /api/v1/schema/ (issue 23, item 8), in-process over WSGI on the test database with the
demo loaded: every operation, anonymous and signed in as a demo coordinator, with data that fits the schema
and data that does not, a fixed seed and a bounded number of examples per operation.

A case fails on a 5xx and on any answer the schema does not describe: an undocumented status code, content
type or header, or a body that does not match the documented one. Run by ``.ci/jobs/fuzz`` (``ZHUNRU_FUZZ=1``,
see tests/fuzz/conftest.py); ``ZHUNRU_FUZZ_SEED`` and ``ZHUNRU_FUZZ_EXAMPLES`` change the seed and the number
of examples per operation and identity. A failure prints the request as a curl command.

The requests go through the whole WSGI stack (every middleware) and commit for real, as in production: the
demo is loaded once, outside any test transaction, into the test database pytest-django creates and drops.
"""

import io
import json
import os
import time
import uuid
from dataclasses import dataclass, field

import hypothesis
import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.test import Client, RequestFactory, override_settings
from django.urls import resolve
from hypothesis import HealthCheck, Phase
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

SCHEMA_PATH = "/api/v1/schema/"
SEED = int(os.environ.get("ZHUNRU_FUZZ_SEED", "20261204"))
EXAMPLES = int(os.environ.get("ZHUNRU_FUZZ_EXAMPLES", "25"))
ONLY = os.environ.get("ZHUNRU_FUZZ_ONLY", "")  # e.g. "/leads/": only the operations whose label has it
SIGNED_IN_AS = "changjiang-coordinator"  # a demo account (zhunru.demo_accounts): leads, credit subjects
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
UNLIMITED = "100000/m"


def load_schema() -> schemathesis.BaseSchema:
    """The schema the site serves at /api/v1/schema/, read through its own view (no database needed, so this
    runs at collection)."""
    response = resolve(SCHEMA_PATH).func(RequestFactory().get(SCHEMA_PATH))
    assert response.status_code == 200, response.content[:500]
    return schemathesis.openapi.from_dict(json.loads(response.content))


SCHEMA = load_schema()
OPERATIONS = {result.ok().label: result.ok() for result in SCHEMA.get_all_operations()}


@dataclass
class Stats:
    started: float = field(default_factory=time.monotonic)
    cases: int = 0
    operations: int = 0
    demo_seconds: float = 0.0
    fuzz_started: float = 0.0
    statuses: dict[int, int] = field(default_factory=dict)

    def summary(self) -> str:
        statuses = ", ".join(f"{code}: {n}" for code, n in sorted(self.statuses.items()))
        return (
            f"fuzz: {self.cases} cases over {self.operations} operations × 2 identities (anonymous, "
            f"{SIGNED_IN_AS}), seed {SEED}, at most {EXAMPLES} examples each, "
            f"{time.monotonic() - self.started:.0f} s in all (demo loaded in {self.demo_seconds:.0f} s, the cases "
            f"{time.monotonic() - self.fuzz_started:.0f} s); status codes {statuses}"
        )


STATS = Stats()


def load_world() -> dict:
    """The demo, committed, and the session cookie of a demo coordinator."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("load_demo", stdout=io.StringIO())
    client = Client()
    client.force_login(get_user_model().objects.get(username=SIGNED_IN_AS))
    return {"anonymous": {}, "signed-in": {"sessionid": client.cookies["sessionid"].value}}


def raised_limits():
    """Rate limits out of the way (their 429s are documented and tested elsewhere), so POSTs reach the views."""
    namespace = uuid.uuid4().hex
    return override_settings(
        ZHUNRU_API_POST_RATES={"default": UNLIMITED, "rating": UNLIMITED, "screen": UNLIMITED},
        ZHUNRU_API_THROTTLE_NAMESPACE=namespace,
        ZHUNRU_PORTAL={"THROTTLE_NAMESPACE": namespace, "COMPLAINT_RATE": (100_000, 60),
                       "STATUS_LOOKUP_RATE": (100_000, 60), "RATING_RATE": (100_000, 60)},
    )


def _strategy(operation):
    """Cases that fit the schema and cases that do not (an operation without parameters has no negative ones)."""
    strategies = [operation.as_strategy(generation_mode=schemathesis.GenerationMode.POSITIVE)]
    try:
        strategies.append(operation.as_strategy(generation_mode=schemathesis.GenerationMode.NEGATIVE))
    except Exception:  # noqa: BLE001 - nothing to negate
        pass
    return st.one_of(strategies)


def fuzz(operation, app, cookies: dict) -> None:
    """At most EXAMPLES cases of ``operation`` from the fixed seed; raises on the first failing one (shrunk)."""

    @hypothesis.seed(SEED)
    @hypothesis.settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @hypothesis.given(case=_strategy(operation))
    def run(case):
        response = case.call(app=app, cookies=cookies or None)
        STATS.cases += 1
        STATS.statuses[response.status_code] = STATS.statuses.get(response.status_code, 0) + 1
        case.validate_response(response, checks=CHECKS)

    run()


@pytest.fixture(scope="session")
def django_db_setup(django_test_environment, django_db_blocker, django_db_modify_db_settings):
    """pytest-django's test database for a test without the django_db mark (no transaction around it, no
    flush after it: the database is dropped at the end)."""
    from django.test.utils import setup_databases, teardown_databases

    with django_db_blocker.unblock():
        config = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    yield
    with django_db_blocker.unblock():
        teardown_databases(config, verbosity=0)


def test_every_operation_answers_as_its_schema_says(django_db_setup, django_db_blocker, subtests):
    """One subtest per operation and identity: a failure names the operation and prints the request.

    Outside any test transaction: the requests commit as in production (on_commit hooks run, a request's
    connection is closed at its end)."""
    with django_db_blocker.unblock():
        run_every_operation(subtests)


def run_every_operation(subtests) -> None:
    import dramatiq
    from werkzeug.test import Client as WSGIClient

    started = time.monotonic()
    identities = load_world()
    STATS.demo_seconds = time.monotonic() - started
    STATS.fuzz_started = time.monotonic()
    app = WSGIHandler()
    signed_in = WSGIClient(app)
    signed_in.set_cookie("sessionid", identities["signed-in"]["sessionid"], domain="localhost")
    # Without this the signed-in half would fuzz 401s only (a lost cookie, a second factor owed).
    assert signed_in.get("/api/v1/leads/").status_code == 200
    assert WSGIClient(app).get("/api/v1/leads/").status_code == 401
    try:
        with raised_limits():
            for label, operation in sorted(OPERATIONS.items()):
                if ONLY and ONLY not in label:
                    continue
                STATS.operations += 1
                for identity, cookies in identities.items():
                    with subtests.test(msg=f"{identity} {label}"):
                        fuzz(operation, app, cookies)
    finally:
        dramatiq.get_broker().flush_all()  # complaints filed here enqueued work in this run's queues
