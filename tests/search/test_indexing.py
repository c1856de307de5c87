"""Indexing by the outbox: content changes → IndexTask in the same transaction → worker → index."""

import pytest

from tests.search.conftest import OsmemProcess, drain, es_params, start_osmem
from zhunru.search import indexing
from zhunru.search.backends import SearchUnavailable, get_backend
from zhunru.search.models import IndexTask
from zhunru.search.query import search

pytestmark = pytest.mark.django_db


def apply_all():
    applied, failed = indexing.apply_due()
    assert failed == 0
    return applied


def test_publishing_records_a_task_and_the_worker_indexes_it(search_settings, make_policy):
    page = make_policy("关于清理隐性壁垒的通知", body="<p>各部门要对照负面清单开展整改。</p>", document_number="测发改〔2026〕3号")
    assert IndexTask.objects.pending().filter(source="policy", object_pk=str(page.pk)).exists()
    assert search("隐性壁垒").total == 0  # not applied yet
    apply_all()
    assert not IndexTask.objects.pending().exists()
    hit = search("隐性壁垒").hits[0]
    assert (hit.type, hit.title, hit.region) == ("policy", page.title, "测试区")
    assert hit.url.endswith(f"/{page.slug}/")
    assert search("测发改〔2026〕3号").hits[0].id == f"policy:{page.pk}"
    assert search("整改", type="policy").total == 1


def test_unpublish_and_delete_remove_the_index_copy(search_settings, make_policy):
    page = make_policy("市场准入约谈通报")
    apply_all()
    assert search("约谈").total == 1
    page.unpublish()
    apply_all()
    assert search("约谈").total == 0
    page.save_revision().publish()
    apply_all()
    assert search("约谈").total == 1
    page.delete()
    assert IndexTask.objects.pending().filter(action=IndexTask.Action.DELETE).exists()
    apply_all()
    assert search("约谈").total == 0


def test_drafts_are_not_public(search_settings, make_policy):
    make_policy("草稿中的壁垒清理方案", publish=False)
    apply_all()
    assert search("壁垒").total == 0


@pytest.mark.django_db(transaction=True)
def test_on_commit_sends_the_task_to_a_worker(search_settings, make_policy, broker, worker):
    from django.core.cache import cache

    from zhunru.search.models import Synonym
    from zhunru.search.synonyms import CACHE_KEY

    # An earlier transactional test's flush may have emptied the migration-seeded synonyms.
    Synonym.objects.get_or_create(terms="招投标 = 招标投标")
    cache.delete(CACHE_KEY)
    page = make_policy("关于招标投标领域公平竞争审查的通知")  # autocommit: on_commit runs at once
    drain(broker, worker)
    assert not IndexTask.objects.pending().filter(object_pk=str(page.pk)).exists()
    assert search("招投标").hits[0].id == f"policy:{page.pk}"  # seeded synonym 招投标 = 招标投标


def test_search_outage_never_fails_a_save(search_settings, make_policy, django_capture_on_commit_callbacks):
    from tests.search.conftest import free_port

    search_settings(**es_params(f"http://127.0.0.1:{free_port()}"))  # nothing listens there
    with django_capture_on_commit_callbacks(execute=True):
        page = make_policy("检索服务中断时发布的政策")  # the save itself succeeds
    task = IndexTask.objects.pending().filter(object_pk=str(page.pk)).latest("id")
    with pytest.raises(SearchUnavailable):
        indexing.apply(task.pk)
    task.refresh_from_db()
    assert task.done_at is None and task.attempts == 1 and task.last_error
    assert task.next_attempt_at > task.created_at


@pytest.mark.django_db(transaction=True)
def test_outbox_survives_an_elasticsearch_outage(search_settings, make_policy, broker, worker, monkeypatch):
    """Stop osmem mid-test, save, restart, run the worker: the update arrives."""
    from zhunru.workers.tasks.indexing import apply_index_task

    # The actor's retry after the failed attempt waits 10-20 s in production; the test waits for it to drain,
    # so it is brought forward (same retry, same middleware).
    monkeypatch.setitem(apply_index_task.options, "min_backoff", 100)
    monkeypatch.setitem(apply_index_task.options, "max_backoff", 200)
    server: OsmemProcess = start_osmem()
    try:
        search_settings(**es_params(server.url, index="zhunru-outage"))
        page = make_policy("外地企业准入壁垒清理")
        apply_all()
        assert search("准入壁垒").total == 1

        server.stop()  # outage
        page.title = "外地企业准入壁垒清理（修订）"
        page.summary = "修订后增加了约谈机制。"
        page.save_revision().publish()
        indexing.apply_due()  # the running worker may have tried first; either way it failed and waits
        waiting = IndexTask.objects.pending().filter(object_pk=str(page.pk))
        assert waiting.exists()
        assert waiting.filter(attempts__gte=1).exclude(last_error="").exists()

        server.start()  # back, on the same port (osmem is in-memory: it comes back empty)
        IndexTask.objects.pending().update(next_attempt_at=IndexTask.objects.earliest("created_at").created_at)
        assert indexing.sweep() >= 1  # what the periodic sweep does: enqueue due tasks
        drain(broker, worker)
        assert not IndexTask.objects.pending().exists()
        hit = search("约谈").hits[0]
        assert hit.title == "外地企业准入壁垒清理（修订）"
    finally:
        server.stop()


def test_reconcile_repairs_missing_stale_and_orphaned_copies(search_settings, make_policy):
    a = make_policy("整改落实情况通报")
    b = make_policy("壁垒排查工作方案")
    IndexTask.objects.all().delete()  # as if the outbox had been lost: nothing indexed
    backend = get_backend()
    backend.index_document({"id": f"policy:{a.pk}", "type": "policy", "title": "旧标题", "checksum": "old"})
    backend.index_document({"id": "policy:999999", "type": "policy", "title": "已删除的文档", "checksum": "x"})
    stats = indexing.reconcile()
    assert stats == {"documents": 2, "missing": 1, "stale": 1, "orphans": 1}
    assert search("整改落实").hits[0].id == f"policy:{a.pk}"
    assert search("壁垒排查").hits[0].id == f"policy:{b.pk}"
    assert search("已删除").total == 0
    assert indexing.reconcile() == {"documents": 2, "missing": 0, "stale": 0, "orphans": 0}


def test_rebuild_command_and_status(search_settings, make_policy):
    from io import StringIO

    from django.core.management import call_command

    make_policy("营商环境优化方案")
    out = StringIO()
    call_command("rebuild_search_index", stdout=out)
    assert "\r[" + "█" * 30 + "] 1/1" in out.getvalue()  # the progress bar, then the final line
    assert out.getvalue().rstrip().endswith("秒。") and "重建完成：1 条文档" in out.getvalue()
    assert search("营商环境").total == 1
    out = StringIO()
    call_command("search_index_status", stdout=out)
    assert '"ok": true' in out.getvalue()
    call_command("reconcile_search_index", stdout=StringIO())


def test_rebuild_command_prints_progress_while_it_builds(search_settings, monkeypatch):
    """Every progress report half a second or more after the last one is printed, and the last one always."""
    from io import StringIO
    from itertools import count
    from types import SimpleNamespace

    from django.core.management import call_command

    from zhunru.search.management.commands import rebuild_search_index as command

    clock = count(start=100)  # one second passes between two looks at the clock
    monkeypatch.setattr(command, "time", SimpleNamespace(monotonic=lambda: float(next(clock))))

    def fake_rebuild(progress=None, before_swap=None):
        progress(500, 0)  # backends that do not know the total yet
        for done in (1000, 2000, 3000):
            progress(done, 3000)
        return 3000

    monkeypatch.setattr(command.indexing, "rebuild", fake_rebuild)
    out = StringIO()
    call_command("rebuild_search_index", stdout=out)
    text = out.getvalue()
    assert "\r已写入 500 条" in text
    bars = [line.split("] ")[1].split("\n")[0] for line in text.split("\r")[2:]]
    assert bars == ["1000/3000", "2000/3000", "3000/3000"]
    assert text.splitlines()[-1].startswith("重建完成：3000 条文档")
    assert "\r[" + "█" * 10 + "·" * 20 + "] 1000/3000" in text


def test_changes_during_a_rebuild_reach_the_new_index(search_settings, make_policy):
    make_policy("重建前的政策")
    apply_all()

    def edit_meanwhile():
        make_policy("重建期间发布的政策")
        apply_all()  # goes to the old index, which is about to be dropped

    indexing.rebuild(before_swap=edit_meanwhile)
    assert search("重建期间").total == 1
    assert search("重建前").total == 1


def test_administrator_synonyms_apply_at_query_time(search_settings, make_policy):
    from zhunru.search.models import Synonym

    make_policy("市场监督管理局关于食品经营许可的通知")
    make_policy("县发展和改革局工作要点")
    apply_all()
    assert search("市场监管局").total == 1
    assert search("发改委").total == 1
    assert search("食药监").total == 0
    Synonym.objects.create(terms="食药监 = 食品经营")
    assert search("食药监").total == 1


def test_case_documents_carry_public_fields_only(db, jurisdiction):
    from zhunru.search.documents import SOURCES

    try:
        from zhunru.cases.models import Case
    except ImportError:
        pytest.skip("cases app has no Case model yet")
    case = Case.objects.create(
        jurisdiction=jurisdiction, reporting_department=jurisdiction.departments.first(),
        title="某局限制外地企业投标", organization="某局", category=Case._meta.get_field("category").choices[0][0],
        summary="要求外地企业设立分支机构。", source_person="张三", source_contact="13800000000",
        internal_notes="内部备注不得公开",
    )
    doc = SOURCES["case"].document(case)
    flat = repr(doc)
    assert "张三" not in flat and "13800000000" not in flat and "内部备注" not in flat
    assert doc["title"] == case.title and doc["type"] == "case"
    assert SOURCES["case"].queryset().filter(pk=case.pk).count() == 0  # not in a live bulletin: not public


def test_demo_loader_indexes_pending_content_and_is_idempotent(search_settings, make_policy):
    from io import StringIO

    from zhunru.search import demo

    make_policy("示范内容：负面清单宣传")
    demo.load(StringIO())
    assert search("负面清单").total == 1
    demo.load(StringIO())
    assert search("负面清单").total == 1 and not IndexTask.objects.pending().exists()


def test_system_check_requires_an_url_for_elasticsearch(settings):
    from zhunru.search.checks import check_search_settings

    settings.ZHUNRU_SEARCH = {"BACKEND": "zhunru.search.backends.elasticsearch.ElasticsearchBackend", "URL": ""}
    assert [e.id for e in check_search_settings()] == ["zhunru_search.E002"]
    settings.ZHUNRU_SEARCH = {"BACKEND": "zhunru.search.backends.embedded.EmbeddedBackend"}
    assert check_search_settings() == []


def test_system_check_requires_fts5_for_the_sqlite_fallback(settings, monkeypatch):
    from zhunru.search import checks

    settings.ZHUNRU_SEARCH = {"BACKEND": "zhunru.search.backends.sqlite_fts.SqliteFtsBackend"}
    assert checks.fts5_available() and checks.check_search_settings() == []
    monkeypatch.setattr(checks, "fts5_available", lambda: False)
    assert [e.id for e in checks.check_search_settings()] == ["zhunru_search.E003"]


def test_indexing_actors_are_scheduled_with_explicit_limits():
    from zhunru.workers.scheduler import JOBS
    from zhunru.workers.tasks.indexing import apply_index_task, reconcile_search_index, sweep_index_tasks

    assert JOBS["sweep_index_tasks"].every.total_seconds() == 60
    assert JOBS["reconcile_search_index"].every.total_seconds() == 24 * 3600
    assert apply_index_task.options["max_retries"] == 8 and apply_index_task.options["min_backoff"] == 10_000
    for actor in (apply_index_task, sweep_index_tasks, reconcile_search_index):
        assert {"max_retries", "time_limit", "max_age"} <= set(actor.options)
        assert actor.queue_name == "search"


def test_sweep_prunes_old_done_tasks_and_requeues_due_ones(search_settings, broker):
    from django.utils import timezone

    old = IndexTask.objects.create(source="policy", object_pk="1", done_at=timezone.now() - timezone.timedelta(days=30))
    due = IndexTask.objects.create(source="policy", object_pk="2")
    assert indexing.sweep() == 1
    assert not IndexTask.objects.filter(pk=old.pk).exists()
    assert IndexTask.objects.filter(pk=due.pk, done_at__isnull=True).exists()
