"""Container health checks without curl: ``http PATH`` asks the local web server, ``services`` runs /readyz's checks.

``python deploy/healthcheck.py http /readyz`` sends the request as the proxy would (first ALLOWED_HOSTS
entry as Host, ``X-Forwarded-Proto: https``) so host validation and the HTTPS redirect let it through.
``python deploy/healthcheck.py services`` is for workers and the scheduler, which serve no HTTP.
Exit status 0 when healthy, 1 otherwise.
"""

import os
import sys

# Run as a script, this file's folder comes first on sys.path, where deploy/logging.py would shadow the
# standard library's logging module: put the project root there instead.
_HERE = os.path.dirname(os.path.abspath(__file__))
if sys.path and os.path.abspath(sys.path[0] or ".") == _HERE:
    sys.path[0] = os.path.dirname(_HERE)

import json  # noqa: E402
import urllib.error  # noqa: E402
import urllib.request  # noqa: E402


def check_http(path: str) -> int:
    host = os.environ.get("ALLOWED_HOSTS", "").split(",")[0].strip().lstrip(".")
    if not host or host == "*":
        host = "localhost"
    port = os.environ.get("PORT", "8000")
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}",
                                     headers={"Host": host, "X-Forwarded-Proto": "https"})
    try:
        with urllib.request.urlopen(request, timeout=4) as response:
            return 0 if response.status == 200 else 1
    except urllib.error.HTTPError as exc:
        sys.stderr.write(exc.read().decode("utf-8", "replace")[:2000] + "\n")
        return 1
    except OSError as exc:
        sys.stderr.write(f"{exc}\n")
        return 1


def check_services() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deploy.settings.production")
    import django

    django.setup()
    from zhunru.health import run_checks

    ok, body = run_checks()
    print(json.dumps(body, ensure_ascii=False, default=str))
    return 0 if ok else 1


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else "http"
    if mode == "services":
        sys.exit(check_services())
    sys.exit(check_http(sys.argv[2] if len(sys.argv) > 2 else "/healthz"))
