"""Migrations: module paths under `zhunru`, frozen seed data, no machine path; the steps that remove a page-owning
app's pages when it is unapplied; nothing left for makemigrations to write.

The real round trip (`migrate <app> zero`, then `migrate`, for every app, with the full demo loaded) is too slow
for the suite (a single app's takes 20-30 s here): .ci/jobs/migrations runs it on a PostgreSQL database of its
own (tests/deploy/migration_roundtrip.py).
"""

import ast
import datetime
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.deploy.migration_roundtrip import failing_pages, orphaned_pages

FOLDER_NAMES = {"cms", "search", "workers"}  # the design's folders: the package is `zhunru`
DOTTED_FOLDER_PATH = re.compile(r"^(cms|search|workers)\.[a-z_]+(\.\w+)*$")


def migration_files() -> list[Path]:
    from django.apps import apps

    files = []
    for config in apps.get_app_configs():
        if config.label.startswith("zhunru_"):
            files += sorted((Path(config.path) / "migrations").glob("[0-9]*.py"))
    return files


def dotted(node: ast.AST) -> str | None:
    """``a.b.c`` of a Name/Attribute chain."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return ".".join([node.id, *reversed(parts)])
    return None


def test_every_app_has_migrations_to_check():
    labels = {path.parent.parent.name for path in migration_files()}
    assert len(migration_files()) >= 20
    assert {"cms", "cases", "catalog", "leads", "search", "workers"} <= labels


@pytest.mark.parametrize("path", migration_files(), ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def test_migration_names_no_folder_module_and_no_machine_path(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            problems += [a.name for a in node.names if a.name.split(".")[0] in FOLDER_NAMES]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in FOLDER_NAMES:
            problems.append(node.module)
        elif isinstance(node, ast.Attribute | ast.Name) and (name := dotted(node)):
            if name.split(".")[0] in FOLDER_NAMES | {"pathlib"}:
                problems.append(name)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if DOTTED_FOLDER_PATH.match(node.value) or re.match(r"^(/[\w.-]+){2,}|^[A-Za-z]:\\", node.value):
                problems.append(repr(node.value))
    assert not problems, f"{path}: folder module path or machine path {problems}"


@pytest.mark.parametrize("path", migration_files(), ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def test_migration_code_does_not_use_live_project_code(path):
    """RunPython functions carry their data: live code moves on, and an old migration must still run."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    problems = []
    for function in [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]:
        for node in ast.walk(function):
            if isinstance(node, ast.Import):
                problems += [a.name for a in node.names if a.name.split(".")[0] in FOLDER_NAMES | {"zhunru"}]
            elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in FOLDER_NAMES | {"zhunru"}:
                problems.append(node.module)
            elif isinstance(node, ast.Attribute) and (dotted(node) or "").startswith("zhunru."):
                problems.append(dotted(node))
    assert not problems, f"{path}: a function uses live project code {problems}"


@pytest.mark.django_db
def test_makemigrations_finds_nothing_to_write():
    """Exits 1 (SystemExit) if a model change lacks its migration, or a migration froze a value (a path)."""
    call_command("makemigrations", check=True, dry_run=True, verbosity=0)


def build_bulletin_tree():
    """A jurisdiction home with a policy index, a bulletin index and a published bulletin with a revision."""
    from wagtail.models import Page, Site

    from tests.conftest import create_jurisdiction
    from zhunru.cases.models import BulletinIndexPage, BulletinPage
    from zhunru.models import JurisdictionHomePage, PolicyIndexPage

    root = Page.get_first_root_node()
    home = root.add_child(instance=JurisdictionHomePage(title="测试区", slug="ceshi", jurisdiction=create_jurisdiction()))
    Site.objects.update(is_default_site=False)
    Site.objects.create(hostname="testserver", port=80, root_page=home, is_default_site=True, site_name="测试区")
    home.add_child(instance=PolicyIndexPage(title="政策文件", slug="policies"))
    index = home.add_child(instance=BulletinIndexPage(title="典型案例通报", slug="bulletins"))
    bulletin = index.add_child(instance=BulletinPage(
        title="关于2026年第一批市场准入典型违规案例的通报", slug="2026-1", document_number="测发改〔2026〕1号",
        issuing_office="测试区发展和改革委员会", issue_date=datetime.date(2026, 3, 1), intro="<p>现将典型案例通报如下。</p>",
    ))
    bulletin.save_revision().publish()
    return home, index


def reverse_step(app_module: str):
    """The function a page-owning app's 0001 runs first when unapplied (`migrate <app> zero`)."""
    import importlib

    return importlib.import_module(f"{app_module}.migrations.0001_initial").delete_pages_of_this_app


@pytest.fixture
def historical_apps(db):
    """The models as migrations see them (plain querysets, no treebeard or Wagtail methods), as the step gets them."""
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    return MigrationLoader(connection).project_state().apps


@pytest.mark.django_db
def test_unapplying_deletes_the_apps_pages_with_their_tree_bookkeeping(client, historical_apps):
    """zhunru_cases's step removes the bulletin index and bulletin (refusing while another type's page is
    under them); zhunru_cms's step then removes the jurisdiction's pages and the Site rooted there."""
    from django.db import connection
    from wagtail.models import Page, ReferenceIndex, Revision, Site
    from wagtail.search.models import IndexEntry

    home, index = build_bulletin_tree()
    foreign = index.add_child(instance=Page(title="主机站点自己的页面", slug="host-page"))
    bulletin = index.get_children().get(slug="2026-1")
    root = Page.get_first_root_node()
    root_children = root.get_children_count()
    editor = connection.schema_editor()  # the step only reads its connection

    with pytest.raises(CommandError, match="无法移除应用 zhunru_cases.*《主机站点自己的页面》.*请先在管理后台移动或删除"):
        reverse_step("zhunru.cases")(historical_apps, editor)
    assert Page.objects.filter(pk__in=[index.pk, bulletin.pk, foreign.pk]).count() == 3  # nothing deleted
    foreign.delete()

    gone = [str(index.pk), str(bulletin.pk)]
    assert Revision.objects.filter(object_id__in=gone).exists()
    reverse_step("zhunru.cases")(historical_apps, editor)
    assert list(Page.objects.descendant_of(home, inclusive=True).values_list("title", flat=True)) == ["测试区", "政策文件"]
    assert Page.objects.get(pk=home.pk).numchild == 1
    assert not Revision.objects.filter(object_id__in=gone).exists()
    assert not IndexEntry.objects.filter(object_id__in=gone).exists()
    assert not ReferenceIndex.objects.filter(object_id__in=gone).exists()
    assert orphaned_pages() == []
    assert failing_pages(client) == []
    assert client.get("/bulletins/").status_code == 404

    reverse_step("zhunru")(historical_apps, editor)
    assert Page.objects.get(pk=root.pk).numchild == root_children - 1
    assert not Page.objects.filter(pk=home.pk).exists()
    assert not Site.objects.filter(hostname="testserver").exists()  # rooted at the deleted home, as Wagtail does
    assert orphaned_pages() == []
    assert client.get("/").status_code == 404


@pytest.mark.django_db
def test_cases_setup_after_migrate_does_nothing_when_the_app_is_unapplied():
    """After `migrate zhunru_cases zero` the post_migrate state has no zhunru_cases: no query (the tables are gone)."""
    from django.apps import apps
    from django.db import connection
    from django.db.migrations.state import ProjectState
    from django.test.utils import CaptureQueriesContext

    from zhunru.cases.signal_handlers import ensure_setup_after_migrate

    with CaptureQueriesContext(connection) as queries:
        ensure_setup_after_migrate(sender=apps.get_app_config("zhunru_cases"), apps=ProjectState().apps)
    assert len(queries) == 0
