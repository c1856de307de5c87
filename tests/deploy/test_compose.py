import json

import pytest

from .manifests import COMPOSE_ENV, DEPLOY, actor_queues, compose_config, queues_of

APP_SERVICES = {"web", "scheduler", "worker-deadlines", "worker-credit", "worker-indexing", "worker-notify",
                "worker-system"}


@pytest.fixture(scope="module")
def compose(tmp_path_factory):
    result = compose_config(tmp_path_factory.mktemp("compose"), COMPOSE_ENV)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_compose_config_validates_with_every_process(compose):
    services = compose["services"]
    assert APP_SERVICES | {"migrate", "postgres", "redis", "elasticsearch"} <= set(services)
    assert set(compose["volumes"]) >= {"pgdata", "redisdata", "esdata", "media", "private"}


def test_application_processes_wait_for_migrations_and_services_and_have_health_checks(compose):
    services = compose["services"]
    for name in APP_SERVICES:
        service = services[name]
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully", name
        assert service["depends_on"]["redis"]["condition"] == "service_healthy", name
        assert service["healthcheck"]["test"][:3] == ["CMD", "python", "deploy/healthcheck.py"], name
        assert service["environment"]["DJANGO_SETTINGS_MODULE"] == "deploy.settings.production"
        assert {v["target"] for v in service["volumes"]} == {"/app/var/media", "/app/var/private"}
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert services["web"]["healthcheck"]["test"][-1] == "/readyz"
    for name in ("postgres", "redis", "elasticsearch"):
        assert services[name]["healthcheck"]["test"], name
        assert any(v["type"] == "volume" for v in services[name]["volumes"]), name


def test_elasticsearch_is_single_node_with_explicit_security_and_no_plugin(compose):
    es = compose["services"]["elasticsearch"]
    assert es["image"].startswith("docker.elastic.co/elasticsearch/elasticsearch:9.")
    env = es["environment"]
    assert env["discovery.type"] == "single-node"
    assert env["xpack.security.enabled"] == "true" and env["ELASTIC_PASSWORD"] == COMPOSE_ENV["ELASTIC_PASSWORD"]
    assert not es.get("command") and not es.get("build")  # no plugin install step: the analysis uses built-in cjk filters only
    app_env = compose["services"]["web"]["environment"]
    assert app_env["ELASTICSEARCH_URL"] == f"http://elastic:{COMPOSE_ENV['ELASTIC_PASSWORD']}@elasticsearch:9200"


def test_every_actor_queue_has_a_worker(compose):
    consumed = set()
    for service in compose["services"].values():
        consumed |= queues_of(service.get("command") or [])
    missing = actor_queues() - consumed
    assert not missing, f"queues no compose worker consumes: {sorted(missing)}"


def test_procfile_has_the_same_worker_families_as_compose(compose):
    procfile = {}
    for line in (DEPLOY / "Procfile").read_text().splitlines():
        if line and not line.startswith("#"):
            name, command = line.split(":", 1)
            procfile[name] = command.split()
    assert {"release", "web", "scheduler"} <= set(procfile)
    for name, service in compose["services"].items():
        if name.startswith("worker-"):
            assert queues_of(procfile[name]) == queues_of(service["command"]), name


def test_compose_refuses_to_render_without_secrets(tmp_path):
    result = compose_config(tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr or "POSTGRES_PASSWORD" in result.stderr or "ELASTIC_PASSWORD" in result.stderr


def test_only_the_reverse_proxy_is_published_and_the_web_process_trusts_only_its_address(compose):
    services = compose["services"]
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"proxy"}
    assert {p["target"] for p in services["proxy"]["ports"]} == {80, 443}
    proxy_ip = services["proxy"]["networks"]["default"]["ipv4_address"]
    subnet = compose["networks"]["default"]["ipam"]["config"][0]
    import ipaddress

    assert ipaddress.ip_address(proxy_ip) in ipaddress.ip_network(subnet["subnet"])
    assert ipaddress.ip_address(proxy_ip) not in ipaddress.ip_network(subnet["ip_range"])  # never handed out
    for name in APP_SERVICES:
        assert services[name]["environment"]["ZHUNRU_TRUSTED_PROXIES"] == proxy_ip, name
    assert services["web"]["environment"]["FORWARDED_ALLOW_IPS"] == proxy_ip  # not "*"
    assert services["proxy"]["depends_on"]["web"]["condition"] == "service_healthy"
    directives = [line.strip() for line in (DEPLOY / "Caddyfile").read_text().splitlines()
                  if line.strip() and not line.strip().startswith("#")]
    assert "reverse_proxy {$ZHUNRU_WEB_UPSTREAM:web:8000}" in directives  # web:8000 unless a test points it
    assert not [d for d in directives if "trusted_proxies" in d]  # a client's X-Forwarded-For is replaced
