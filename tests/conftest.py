"""Shared fixtures: reference data factories, the broker and a worker, live services, rows built once.

Rows built once (:func:`shared_rows`): a fixture registered with it is built at most once for a run of
consecutive tests that ask for it, inside an outer transaction; each test's own transaction is a savepoint
inside that one, so every test starts from the same rows (what Django's ``TestCase.setUpTestData`` does for
a class). The outer transaction is rolled back as soon as a test that did not ask for those rows comes, so
no other test ever sees them; a transactional test (``transaction=True``, ``transactional_db``,
``live_server``) builds them itself and commits them, as before.

Shared fixtures for everyone: ``demo`` (both seed jurisdictions with the portal's demo channels, by division
code), ``jurisdiction``, ``make_department``, ``make_user`` (and the plain functions behind them,
``create_jurisdiction``, ``create_department``, ``create_user``, for builders), ``broker``, ``worker``.
"""

import copy
import os
import sys
from collections.abc import Callable

import dramatiq
import pytest
from dramatiq import Worker

IN_CI = os.environ.get("CI") == "true"


# --- Rows built once --------------------------------------------------------------------------------


def _transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker is not None and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")):
        return True
    names = getattr(item, "fixturenames", ())
    return "transactional_db" in names or "live_server" in names


def _skipped(item) -> bool:
    """Marked to be skipped (``skip``, or ``skipif`` with a true condition): it needs no rows built."""
    if item.get_closest_marker("skip") is not None:
        return True
    return any(mark.args and mark.args[0] is True for mark in item.iter_markers("skipif"))


class SharedRows:
    """The one set of shared rows open at a time (with the rows it is built on), its transactions and its
    builders by fixture name."""

    def __init__(self):
        self.builders: dict[str, Callable[[], object]] = {}
        self.bases: dict[str, str | None] = {}  # rows built on top of another fixture's shared rows
        self.blocker = None  # pytest-django's database blocker, known once a database test has run
        self.key: str | None = None
        self.values: dict[str, object] = {}  # the open run's rows: its key's and its bases'
        self._levels: list[tuple[str, object]] = []  # (fixture name, its open transaction.atomic), base first
        self._finalizer_added = False
        self.builds: dict[str, int] = {}  # how often each was built in this process

    def wanted(self, item) -> str | None:
        if self.blocker is None or _transactional(item):
            return None
        return self.asked_for(item)

    def asked_for(self, item) -> str | None:
        """The most specific rows ``item`` asks for: those built on top of the others (their bases come with
        them)."""
        names = getattr(item, "fixturenames", ())
        return max((name for name in self.builders if name in names), key=lambda n: len(self.chain(n)),
                   default=None)

    def chain(self, key: str) -> list[str]:
        """``key`` and the rows it is built on, the base first."""
        out = [key]
        while self.bases.get(out[0]):
            out.insert(0, self.bases[out[0]])
        return out

    def switch(self, key: str | None, session) -> None:
        """Open the rows ``key`` needs (none: close every level). Levels both runs share stay open: going from
        tests of ``portal_bulletin`` to tests of ``catalog_demo`` keeps ``demo`` and rolls back only the
        bulletin. Each level is a transaction (the outer one) or a savepoint inside the level below."""
        from django.db import transaction

        chain = self.chain(key) if key is not None else []
        keep = 0
        while keep < min(len(chain), len(self._levels)) and self._levels[keep][0] == chain[keep]:
            keep += 1
        self._unwind(keep)
        self.key = None
        if key is None:
            return
        if not self._finalizer_added:
            # Registered after pytest-django's database setup, so it runs before the test database is dropped.
            session.addfinalizer(self.leave)
            self._finalizer_added = True
        with self.blocker.unblock():
            try:
                for name in chain[keep:]:
                    atomic = transaction.atomic()
                    atomic.__enter__()
                    self._levels.append((name, atomic))
                    self.values[name] = self.builders[name]()
                    self.builds[name] = self.builds.get(name, 0) + 1
            except BaseException:
                self._unwind(0)
                raise
        self.key = key

    def _unwind(self, keep: int) -> None:
        """Roll back the levels above the first ``keep``."""
        from django.db import transaction

        if len(self._levels) <= keep:
            return
        with self.blocker.unblock():
            while len(self._levels) > keep:
                name, atomic = self._levels.pop()
                self.values.pop(name, None)
                transaction.set_rollback(True)
                atomic.__exit__(None, None, None)

    def leave(self) -> None:
        self._unwind(0)
        self.key = None
        if report := os.environ.get("ZHUNRU_SHARED_ROWS_REPORT"):  # how often each was built, one line a process
            with open(report, "a") as out:
                out.write(f"{os.getpid()} {sorted(self.builds.items())}\n")

    def get(self, key: str, blocker):
        """The shared rows (a deep copy of what the builder returned, as Django's TestData gives each test),
        or, outside a shared run (first database test, transactional tests), rows built for this test alone."""
        self.blocker = blocker
        if key in self.values:
            return copy.deepcopy(self.values[key])
        return self.builders[key]()


SHARED = SharedRows()
GROUPED: set[str] = set()  # shared rows whose tests run together on one worker


def pytest_itemcollected(item):
    """Tests of grouped shared rows join their xdist group (marked as collected: xdist reads the groups
    before any reordering)."""
    for name in GROUPED & set(getattr(item, "fixturenames", ())):
        item.add_marker(pytest.mark.xdist_group(name))


def pytest_collection_modifyitems(items):
    """Tests of the same shared rows run one after the other, so each run of them builds the rows once: tests
    of rows built on the same base (``catalog_demo`` and ``portal_bulletin`` on ``demo``) next to each other
    too, the base kept open between them. Only tests that share rows move (transactional ones build their own
    and stay where pytest-django put them), each to the place of the first test of its rows; file order is
    kept otherwise, and within each run of rows."""
    first: dict[str, int] = {}
    keys = []
    for index, item in enumerate(items):
        wanted = SHARED.asked_for(item)
        if wanted is None or _transactional(item):
            keys.append((index, index, index))
            continue
        chain = SHARED.chain(wanted)
        keys.append((first.setdefault(chain[0], index), first.setdefault(wanted, index), index))
    order = sorted(range(len(items)), key=lambda i: keys[i])
    items[:] = [items[i] for i in order]


def shared_rows(name: str, base: str | None = None, group: bool = False):
    """Register ``builder`` as the fixture ``name`` whose rows consecutive tests share (see the module docstring).

    The builder takes no arguments (fixtures are not available to it: use the ``create_*`` functions) and
    returns the objects the tests need; each test gets its own deep copy. With ``base`` (another shared-rows
    fixture's name) the builder runs after that one's, and tests asking for ``name`` share both. With
    ``group``, for rows that are slow to build and asked for by a few tests in different modules, those tests
    run one after the other on one xdist worker (an ``xdist_group`` of that name), so the rows are built once.
    """

    def decorator(builder: Callable[[], object]):
        SHARED.builders[name] = builder
        SHARED.bases[name] = base
        if group:
            GROUPED.add(name)

        @pytest.fixture(name=name)
        def fixture(db, django_db_blocker, request):
            if base is not None:
                request.getfixturevalue(base)  # outside a shared run, built first for this test alone
            return SHARED.get(name, django_db_blocker)

        fixture.__doc__ = builder.__doc__
        return fixture

    return decorator


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Before the test's fixtures: keep, open or close the shared rows it asks for."""
    if _skipped(item):
        return  # it will not run: whatever rows are open stay open for the tests after it
    wanted = SHARED.wanted(item)
    if SHARED.key != wanted:
        SHARED.switch(wanted, item.session)


def coverage_controller(config):
    """pytest-cov's controller while it is measuring, or None (coverage off, or not started)."""
    plugin = config.pluginmanager.getplugin("_cov")
    controller = getattr(plugin, "cov_controller", None)
    return controller if controller is not None and controller.started else None


def _drop_coverage_tracer() -> None:
    """Take a coverage tracer still installed on this thread off it, after pytest-cov has paused. On a
    pytest-xdist worker coverage is started twice (pytest-cov's ``Central`` controller when the command line is
    read, then its ``DistWorker``), and pausing the second makes coverage.py resume the first, which traces on
    (seen 2026-12-05: ``sys.gettrace()`` was a CTracer inside a ``no_cover`` test; tests/test_no_cover.py).
    pytest-cov's resume installs its own tracer again."""
    if type(sys.gettrace()).__module__.startswith("coverage"):
        sys.settrace(None)


@pytest.hookimpl(hookwrapper=True, trylast=True)
def pytest_runtest_call(item):
    """Tests marked ``no_cover`` run untraced on pytest-xdist's workers too (the URL walk's calls took 48 s traced
    against 33 s untraced). This wrapper runs inside pytest-cov's, after its pause."""
    if item.get_closest_marker("no_cover") is not None:
        _drop_coverage_tracer()
    yield


def _untraced_coverage_pause(config):
    """pytest-cov's controller, paused with no coverage tracer left on this thread, or None when coverage is
    off; ``resume()`` it after."""
    controller = coverage_controller(config)
    if controller is not None:
        controller.pause()
        _drop_coverage_tracer()
    return controller


class UntracedDatabaseSetup:
    """Each worker creates and migrates its test database untraced: under coverage's tracer it took 30 s instead
    of 18 s (2026-12-05, two workers), the first half minute of every run. Migrations are left out of the
    coverage figures (pyproject.toml); the migrations job runs every one of them down and up again.

    A plugin, not a conftest hook: pytest consults ``tests/conftest.py`` only for fixtures of its own folder, and
    ``django_db_setup`` is a session fixture."""

    @pytest.hookimpl(hookwrapper=True)
    def pytest_fixture_setup(self, fixturedef, request):
        controller = _untraced_coverage_pause(request.config) if fixturedef.argname == "django_db_setup" else None
        try:
            yield
        finally:
            if controller is not None:
                controller.resume()


def pytest_configure(config):
    config.pluginmanager.register(UntracedDatabaseSetup(), "zhunru-untraced-database-setup")


# --- Reference data -----------------------------------------------------------------------------------


def create_jurisdiction():
    """测试区 (division code 360299) with its lead department, the development and reform commission."""
    from zhunru.models import Department, Jurisdiction

    j = Jurisdiction.objects.create(
        name="测试区", short_name="测", level=Jurisdiction.Level.DISTRICT, division_code="360299",
        higher_office="测试市发展和改革委员会",
    )
    Department.objects.create(jurisdiction=j, name="测试区发展和改革委员会", short_name="区发改委",
                              kind=Department.Kind.DEVELOPMENT_REFORM, is_lead=True)
    return j


def create_department(jurisdiction, name: str, **kwargs):
    from zhunru.models import Department

    return Department.objects.create(jurisdiction=jurisdiction, name=name, **kwargs)


def create_user(username: str, *, groups=(), departments=(), superuser=False):
    """A user, optionally in role groups and departments."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from zhunru import roles
    from zhunru.models import DepartmentMembership

    if groups and Group.objects.filter(name__in=groups).count() < len(set(groups)):
        roles.sync_roles()  # a flushed database (transactional tests) before post_migrate made them
    User = get_user_model()
    if superuser:
        user = User.objects.create_superuser(username, f"{username}@example.invalid", "pw-123456!")
    else:
        user = User.objects.create_user(username, f"{username}@example.invalid", "pw-123456!")
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    for dept in departments:
        DepartmentMembership.objects.create(user=user, department=dept)
    return user


def sign_in(client, user) -> None:
    """What ``client.force_login(user)`` leaves behind, a session naming the user, without logging in: no login
    signal, so no audit event, lockout bookkeeping or last-login write (a third of each URL-walk test). For
    tests of what a signed-in user sees; tests of signing in log in."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, load_backend

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = next(path for path in settings.AUTHENTICATION_BACKENDS
                                        if hasattr(load_backend(path), "get_user"))  # as force_login picks
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key


@pytest.fixture
def jurisdiction(db):
    return create_jurisdiction()


@pytest.fixture
def make_department(jurisdiction):
    def make(name: str, **kwargs):
        return create_department(kwargs.pop("jurisdiction", jurisdiction), name, **kwargs)

    return make


@pytest.fixture
def make_user(db):
    """A user, optionally in role groups and departments."""
    return create_user


@shared_rows("demo")
def demo():
    """Both seed jurisdictions (sites, homes, policies, departments) and the portal's demo channels, by
    division code (360202 昌江区, …)."""
    from zhunru import demo as core_demo
    from zhunru.portal import demo as portal_demo

    jurisdictions = core_demo.load()
    portal_demo.load()
    return {j.division_code: j for j in jurisdictions}


@shared_rows("full_demo", base="demo", group=True)
def full_demo():
    """``manage.py load_demo`` as ``make run`` does it (DEBUG on: the demo accounts get the demo password),
    on top of ``demo``: {"output": what it printed, "loaded_at": when}."""
    import io

    from django.core.management import call_command
    from django.test import override_settings
    from django.utils import timezone

    out = io.StringIO()
    loaded_at = timezone.now()
    with override_settings(DEBUG=True):
        call_command("load_demo", stdout=out)
    return {"output": out.getvalue(), "loaded_at": loaded_at}


@shared_rows("catalog_demo", base="demo")
def catalog_demo():
    """On top of ``demo``: the catalog demo, 2022年版 (history) and 2025年版 (active), two service items per
    jurisdiction; the editions by name."""
    import io

    from zhunru.catalog import demo as catalog
    from zhunru.catalog.models import ListEdition

    catalog.load(io.StringIO())
    return {e.name: e for e in ListEdition.objects.all()}


# --- Queues -------------------------------------------------------------------------------------------


@pytest.fixture
def broker():
    """The configured broker (stub, or Redis when REDIS_URL is set), emptied around the test."""
    current = dramatiq.get_broker()
    current.flush_all()
    yield current
    current.flush_all()


@pytest.fixture
def worker(broker):
    """A worker consuming the broker in this process."""
    w = Worker(broker, worker_timeout=100, worker_threads=1)
    w.start()
    yield w
    w.stop()
