"""Retention: kept forever unless ZHUNRU_AUDIT_RETENTION_DAYS is set; then pruned daily by the worker."""

import importlib.util
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.utils import timezone

from zhunru.audit.checks import audit_retention
from zhunru.audit.models import AuditEvent, ChainAnchor
from zhunru.audit.recording import record
from zhunru.audit.sealing import seal_pending
from zhunru.audit.verification import verify_chain
from zhunru.workers.scheduler import JOBS
from zhunru.workers.tasks.audit import prune_audit_log


@pytest.fixture
def aged(jurisdiction, monkeypatch):
    """Three entries 400 days old, then two of today."""
    real_now = timezone.now
    monkeypatch.setattr("zhunru.audit.recording.timezone.now", lambda: real_now() - timedelta(days=400))
    old = [record("test.old", obj=jurisdiction) for _ in range(3)]
    monkeypatch.setattr("zhunru.audit.recording.timezone.now", real_now)
    recent = [record("test.recent", obj=jurisdiction) for _ in range(2)]
    seal_pending()
    return [AuditEvent.objects.get(pk=e.pk) for e in old], [AuditEvent.objects.get(pk=e.pk) for e in recent]


@pytest.mark.django_db
@override_settings(ZHUNRU_AUDIT_RETENTION_DAYS=365)
def test_daily_job_prunes_by_the_setting(aged):
    old, recent = aged
    prune_audit_log()  # the actor as a plain function
    assert not AuditEvent.objects.filter(pk__in=[e.pk for e in old]).exists()
    assert AuditEvent.objects.filter(pk__in=[e.pk for e in recent]).count() == 2
    assert ChainAnchor.objects.get().pruned_through == old[-1].sequence
    assert verify_chain().ok

    prune_audit_log()  # running twice does no harm
    assert ChainAnchor.objects.count() == 1 and AuditEvent.objects.filter(action="audit.prune").count() == 1


@pytest.mark.django_db
@override_settings(ZHUNRU_AUDIT_RETENTION_DAYS=365)
def test_command_without_days_uses_the_setting(aged):
    call_command("prune_audit_log")
    assert AuditEvent.objects.filter(action="audit.prune").get().changes["days"] == 365


@pytest.mark.django_db
@pytest.mark.parametrize("days", [None, 0])
def test_unset_retention_keeps_everything(aged, days):
    with override_settings(ZHUNRU_AUDIT_RETENTION_DAYS=days):
        before = AuditEvent.objects.count()
        prune_audit_log()
        call_command("prune_audit_log")
    assert AuditEvent.objects.count() == before and not ChainAnchor.objects.exists()


@pytest.mark.django_db
def test_retention_below_six_months_is_refused(aged):
    with pytest.raises(CommandError, match="至少保留 180 天"):
        call_command("prune_audit_log", days=30)
    with override_settings(ZHUNRU_AUDIT_RETENTION_DAYS=30):
        with pytest.raises(CommandError):
            call_command("prune_audit_log")
        assert [e.id for e in audit_retention(None)] == ["zhunru_audit.E001"]
    assert not ChainAnchor.objects.exists()
    with override_settings(ZHUNRU_AUDIT_RETENTION_DAYS=3650):
        assert audit_retention(None) == []


@pytest.mark.django_db
@override_settings(ZHUNRU_AUDIT_RETENTION_DAYS=365)
def test_broken_chain_is_not_pruned(aged):
    from django.db import connection

    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET note = %s WHERE id = %s", ["被篡改", aged[1][0].pk])
    with pytest.raises(CommandError, match="拒绝清理"):
        call_command("prune_audit_log")
    assert AuditEvent.objects.filter(pk=aged[0][0].pk).exists()


def test_pruning_is_scheduled_daily():
    job = JOBS["prune_audit_log"]
    assert job.every == timedelta(days=1) and job.actor is prune_audit_log


@pytest.mark.parametrize(("value", "expected"), [(None, None), ("", None), ("0", None), ("730", 730)])
def test_setting_is_read_from_the_environment(monkeypatch, value, expected):
    if value is None:
        monkeypatch.delenv("ZHUNRU_AUDIT_RETENTION_DAYS", raising=False)
    else:
        monkeypatch.setenv("ZHUNRU_AUDIT_RETENTION_DAYS", value)
    path = Path(__file__).resolve().parents[2] / "deploy" / "settings" / "base.py"
    spec = importlib.util.spec_from_file_location("deploy.settings._base_under_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.ZHUNRU_AUDIT_RETENTION_DAYS == expected
