"""Every Zhunru app's migrations unapplied and applied again, on a database with the demo loaded.

``python -m tests.deploy.migration_roundtrip`` (what ``.ci/jobs/migrations`` runs, on a scratch database of its
own) loads the demo, then for each ``zhunru_*`` app with migrations runs ``migrate <app> zero`` and ``migrate``,
and checks after each step that no page is left whose table is gone, and after each return that every page of
the tree answers 200 (nothing 500s) and the default site's home is not a server error. An app owning page types
takes its pages with it; the demo is loaded again after it, which must bring them back. Last,
``makemigrations --check`` must find nothing to write. Prints what it did; exits non-zero on any failure.

The helpers are shared with tests/deploy/test_migrations.py.
"""

import io
import logging
import sys
import time
import traceback
from urllib.parse import urlsplit


def migrated_apps() -> list[str]:
    """The ``zhunru_*`` apps with migrations, in the order to unapply them: apps owning page types last.

    ``zhunru_cms`` is last of all: every other app depends on it, so its round trip takes them all with it.
    """
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(connection, ignore_no_migrations=True)
    owners = page_types_by_app()
    labels = sorted(label for label in loader.migrated_apps if label.startswith("zhunru_"))
    return sorted(labels, key=lambda label: (label == "zhunru_cms", label in owners, label))


def page_types_by_app() -> dict[str, list[str]]:
    from wagtail.models import get_page_models

    found: dict[str, list[str]] = {}
    for model in get_page_models():
        found.setdefault(model._meta.app_label, []).append(model.__name__)
    return found


def orphaned_pages() -> list[str]:
    """Pages whose specific table does not exist (Wagtail fails on each of them)."""
    from django.db import connection
    from wagtail.models import Page

    tables = set(connection.introspection.table_names())
    orphans = []
    for page in Page.objects.filter(depth__gt=1).select_related("content_type").order_by("path"):
        model = page.content_type.model_class()
        if model is None or model._meta.db_table not in tables:
            orphans.append(f"{page.pk} {page.title} ({page.content_type.app_label}.{page.content_type.model})")
    return orphans


def failing_pages(client) -> list[str]:
    """Every routable page of the tree, fetched on its site; those not answering 200, and a 500 at any site root."""
    from wagtail.models import Page, Site

    failures = []
    for page in Page.objects.filter(depth__gt=1).order_by("path"):
        parts = page.get_url_parts()
        if parts is None:
            continue
        _site_id, root_url, path = parts
        host = urlsplit(root_url).netloc
        status = client.get(path, HTTP_HOST=host).status_code
        if status != 200:
            failures.append(f"{status} http://{host}{path} ({page.title})")
    hosts = [f"{site.hostname}:{site.port}" for site in Site.objects.all()] or ["127.0.0.1:8000"]
    for host in hosts:
        status = client.get("/", HTTP_HOST=host).status_code
        if status >= 500:
            failures.append(f"{status} http://{host}/")
    return failures


def page_count() -> int:
    from wagtail.models import Page

    return Page.objects.filter(depth__gt=1).count()


def main() -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    logging.getLogger("django.request").setLevel(logging.ERROR)  # 404s are expected; 500s still print
    logging.getLogger("django.security").setLevel(logging.ERROR)
    client = Client(raise_request_exception=False)
    started = time.monotonic()
    problems: list[str] = []

    def step(label: str, action) -> bool:
        began = time.monotonic()
        try:
            action()
        except BaseException as exc:  # noqa: BLE001 - SystemExit from a command too: report it, go on
            traceback.print_exc()
            problems.append(f"{label}: {type(exc).__name__}: {exc}")
            print(f"  {label}: FAILED after {time.monotonic() - began:.1f} s: {type(exc).__name__}: {exc}")
            return False
        print(f"  {label}: {time.monotonic() - began:.1f} s", flush=True)
        return True

    def check(label: str, *, requests: bool) -> None:
        found = [f"orphaned page {o}" for o in orphaned_pages()]
        if requests:
            found += failing_pages(client)
        problems.extend(f"{label}: {f}" for f in found)
        print(f"  {label}: {page_count()} pages, " + ("; ".join(found) if found else "no orphan, no failure"))

    def load_demo() -> None:
        call_command("load_demo", stdout=io.StringIO())

    print("migrate, load_demo", flush=True)
    if not (step("migrate", lambda: call_command("migrate", verbosity=0)) and step("load_demo", load_demo)):
        return 1
    check("with the demo", requests=True)
    owners = page_types_by_app()
    for app in migrated_apps():
        print(f"{app}" + (f" (page types: {', '.join(owners[app])})" if app in owners else ""), flush=True)
        if not step(f"migrate {app} zero", lambda app=app: call_command("migrate", app, "zero", verbosity=0)):
            break
        check(f"{app} at zero", requests=False)  # the app is still installed: its own views need its tables
        if not step("migrate", lambda: call_command("migrate", verbosity=0)):
            break
        check(f"{app} back", requests=True)
        if app in owners:
            if not step("load_demo again", load_demo):
                break
            check(f"{app} back, demo again", requests=True)
    print("makemigrations --check", flush=True)
    step("makemigrations --check --dry-run", lambda: call_command("makemigrations", check=True, dry_run=True,
                                                                 verbosity=0))
    print(f"total {time.monotonic() - started:.0f} s")
    for problem in problems:
        print(f"FAILED {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
