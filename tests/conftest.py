"""Shared fixtures: reference data factories, the broker and a worker, live services."""

import os

import dramatiq
import pytest
from dramatiq import Worker

IN_CI = os.environ.get("CI") == "true"


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


@pytest.fixture
def jurisdiction(db):
    from zhunru.models import Department, Jurisdiction

    j = Jurisdiction.objects.create(
        name="测试区", short_name="测", level=Jurisdiction.Level.DISTRICT, division_code="360299",
        higher_office="测试市发展和改革委员会",
    )
    Department.objects.create(jurisdiction=j, name="测试区发展和改革委员会", short_name="区发改委",
                              kind=Department.Kind.DEVELOPMENT_REFORM, is_lead=True)
    return j


@pytest.fixture
def make_department(jurisdiction):
    from zhunru.models import Department

    def make(name: str, **kwargs):
        return Department.objects.create(jurisdiction=kwargs.pop("jurisdiction", jurisdiction), name=name, **kwargs)

    return make


@pytest.fixture
def make_user(db):
    """A user, optionally in role groups and departments."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from zhunru import roles
    from zhunru.models import DepartmentMembership

    def make(username: str, *, groups=(), departments=(), superuser=False):
        roles.sync_roles()
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

    return make
