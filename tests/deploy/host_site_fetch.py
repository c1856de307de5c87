"""Run by .ci/jobs/host-site inside the host site made by `wagtail start` (not collected by pytest).

Fetches the host's pages and Zhunru's under /zhunru/ through Django's test client (all middleware runs) and
exits non-zero naming every failure.
"""

import os
import re
import sys

import django

sys.path.insert(0, os.getcwd())
django.setup()

from django.test import Client  # noqa: E402
from wagtail.models import Site  # noqa: E402

client = Client()
failures = []


def fetch(path: str, *, expect: int = 200, zhunru_csp: bool | None = None, contains: str = "") -> None:
    response = client.get(path)
    csp = response.headers.get("Content-Security-Policy", "")
    body = response.content.decode("utf-8", "replace")
    problems = []
    if response.status_code != expect:
        problems.append(f"status {response.status_code}, expected {expect}")
    if zhunru_csp is False and csp:
        problems.append(f"has a Content-Security-Policy header: {csp[:60]}")
    if zhunru_csp is True and "nonce-" not in csp and "script-src" not in csp:
        problems.append("no Zhunru Content-Security-Policy header")
    if contains and contains not in body:
        problems.append(f"{contains!r} not in the page")
    if path.startswith("/zhunru/") and response.headers.get("Content-Type", "").startswith("text/html"):
        # Every link the plugin writes carries the prefix (or is the host's static, media, admin or documents).
        links = re.findall(r'(?:href|action|src)="(/[^"]*)"', body)
        outside = [u for u in links if not u.startswith(("/zhunru/", "/static/", "/media/", "/admin/", "/documents/"))]
        if outside:
            problems.append(f"links without the prefix: {sorted(set(outside))[:5]}")
    print(f"host-site: GET {path} -> {response.status_code} ({len(response.content)} bytes, "
          f"CSP {'yes' if csp else 'no'}){': ' + '; '.join(problems) if problems else ''}")
    if problems:
        failures.append(path)


default = Site.objects.get(is_default_site=True)
print(f"host-site: default Site {default.hostname}:{default.port} → {default.root_page.specific_class.__name__} "
      f"{default.root_page.url_path}")
if default.root_page.specific_class.__module__ != "home.models":
    print("host-site: load_demo changed the host's default Site's root page")
    failures.append("default site")

fetch("/", zhunru_csp=False)
fetch("/search/?query=test", zhunru_csp=False)
fetch("/zhunru/healthz", zhunru_csp=True)
fetch("/zhunru/portal/search/?q=%E5%87%86%E5%85%A5", zhunru_csp=True)
fetch("/zhunru/api/v1/schema/", contains='"openapi"')
fetch("/zhunru/", zhunru_csp=True)
fetch("/zhunru/changjiang/", zhunru_csp=True, contains="市场准入")
fetch("/zhunru/changjiang/policies/", zhunru_csp=True)

if failures:
    sys.exit(f"host-site: {len(failures)} failed: {', '.join(failures)}")
print("host-site: every page answered as expected")
