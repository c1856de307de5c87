import pytest
from django.http import HttpResponse
from django.middleware.security import SecurityMiddleware
from django.test import RequestFactory, override_settings

from .manifests import actor_queues, k8s_documents, queues_of

PROCESS_DEPLOYMENTS = {"zhunru-web", "zhunru-scheduler", "zhunru-worker-deadlines", "zhunru-worker-credit",
                       "zhunru-worker-indexing", "zhunru-worker-notify", "zhunru-worker-system"}


@pytest.fixture(scope="module")
def manifests():
    docs, how = k8s_documents()
    by_kind: dict[str, dict[str, dict]] = {}
    for doc in docs:
        assert {"apiVersion", "kind", "metadata"} <= set(doc), doc
        by_kind.setdefault(doc["kind"], {})[doc["metadata"]["name"]] = doc
    return by_kind


def _container(deployment: dict) -> dict:
    return deployment["spec"]["template"]["spec"]["containers"][0]


def test_kustomize_renders_every_process_job_service_and_config(manifests):
    assert set(manifests["Deployment"]) == PROCESS_DEPLOYMENTS
    assert "zhunru-migrate" in manifests["Job"]
    assert "zhunru-web" in manifests["Service"]
    assert "zhunru-config" in manifests["ConfigMap"]
    assert "Secret" not in manifests  # secrets are created by hand, never committed


def test_deployments_select_their_pods_run_as_non_root_and_reference_config_and_secret(manifests):
    for name, deployment in manifests["Deployment"].items():
        spec = deployment["spec"]
        assert spec["selector"]["matchLabels"].items() <= spec["template"]["metadata"]["labels"].items(), name
        pod = spec["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] != 0
        for container in pod["containers"] + pod.get("initContainers", []):
            refs = {next(iter(ref.values()))["name"] for ref in container["envFrom"]}
            assert refs == {"zhunru-config", "zhunru-secrets"}, name
            assert container["securityContext"]["allowPrivilegeEscalation"] is False
            resources = container["resources"]
            assert {"cpu", "memory"} <= set(resources["requests"]) and {"cpu", "memory"} <= set(resources["limits"])


def test_web_has_readiness_on_readyz_and_liveness_on_healthz(manifests):
    web = _container(manifests["Deployment"]["zhunru-web"])
    assert web["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert web["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert web["command"] == ["gunicorn", "--config", "deploy/gunicorn.conf.py", "deploy.wsgi"]
    service = manifests["Service"]["zhunru-web"]
    assert service["spec"]["selector"].items() <= manifests["Deployment"]["zhunru-web"]["spec"]["template"][
        "metadata"]["labels"].items()


def test_workers_and_scheduler_run_the_readyz_checks(manifests):
    for name in PROCESS_DEPLOYMENTS - {"zhunru-web"}:
        probe = _container(manifests["Deployment"][name])["readinessProbe"]
        assert probe["exec"]["command"] == ["python", "deploy/healthcheck.py", "services"], name


def test_every_actor_queue_has_a_worker_deployment(manifests):
    consumed = set()
    for deployment in manifests["Deployment"].values():
        consumed |= queues_of(_container(deployment)["command"])
    missing = actor_queues() - consumed
    assert not missing, f"queues no k8s worker consumes: {sorted(missing)}"


def test_hpas_target_web_and_the_workers(manifests):
    hpas = manifests["HorizontalPodAutoscaler"]
    targets = {hpa["spec"]["scaleTargetRef"]["name"] for hpa in hpas.values()}
    assert "zhunru-web" in targets
    assert {"zhunru-worker-deadlines", "zhunru-worker-credit", "zhunru-worker-indexing",
            "zhunru-worker-notify"} <= targets
    assert targets <= set(manifests["Deployment"])
    for hpa in hpas.values():
        spec = hpa["spec"]
        assert hpa["apiVersion"] == "autoscaling/v2"
        assert 1 <= spec["minReplicas"] <= spec["maxReplicas"]
        assert spec["metrics"][0]["resource"]["target"]["averageUtilization"] > 0


def test_migrate_job_runs_migrations(manifests):
    job = manifests["Job"]["zhunru-migrate"]["spec"]["template"]["spec"]
    assert job["containers"][0]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert job["restartPolicy"] in ("OnFailure", "Never")


def test_web_probes_pass_host_validation_and_the_https_redirect_from_an_untrusted_peer(manifests, client):
    # Production-like security: only the configured hosts, HTTPS enforced behind the proxy, forwarded headers
    # believed from the configmap's trusted proxies only. The kubelet is not one of them (the test client's
    # 127.0.0.1 is not either): the probes answer 200 all the same, the health endpoints being exempt from the
    # HTTPS redirect, while any other page from that peer is redirected.
    config = manifests["ConfigMap"]["zhunru-config"]["data"]
    web = _container(manifests["Deployment"]["zhunru-web"])
    from deploy.settings import base

    with override_settings(ALLOWED_HOSTS=config["ALLOWED_HOSTS"].split(","), SECURE_SSL_REDIRECT=True,
                           SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
                           SECURE_REDIRECT_EXEMPT=base.SECURE_REDIRECT_EXEMPT,
                           ZHUNRU_TRUSTED_PROXIES=config["ZHUNRU_TRUSTED_PROXIES"].split(",")):
        security = SecurityMiddleware(lambda request: HttpResponse())
        for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
            get = web[probe]["httpGet"]
            headers = {h["name"]: h["value"] for h in get.get("httpHeaders", [])}
            assert security.process_request(RequestFactory().get(get["path"], headers=headers)) is None, probe
        headers = {h["name"]: h["value"] for h in web["livenessProbe"]["httpGet"].get("httpHeaders", [])}
        assert client.get(web["livenessProbe"]["httpGet"]["path"], headers=headers).status_code == 200
        forged = {"Host": "localhost", "X-Forwarded-Proto": "https"}
        assert client.get("/portal/", headers=forged).status_code == 301
        # What the kubelet would get without the headers: a pod IP as host is refused.
        assert client.get("/healthz", HTTP_HOST="10.1.2.3:8000").status_code == 400


def test_the_configmap_trusts_the_ingress_network_not_any_peer_nor_a_proxy_count(manifests):
    import ipaddress

    config = manifests["ConfigMap"]["zhunru-config"]["data"]
    assert "ZHUNRU_PROXY_COUNT" not in config
    networks = [ipaddress.ip_network(entry.strip()) for entry in config["ZHUNRU_TRUSTED_PROXIES"].split(",")]
    assert networks and all(n.is_private for n in networks)
    assert config["FORWARDED_ALLOW_IPS"] == config["ZHUNRU_TRUSTED_PROXIES"]  # not "*"


def test_ingress_routes_every_host_to_the_web_service_and_hosts_are_allowed(manifests):
    ingress = manifests["Ingress"]["zhunru-web"]
    allowed = manifests["ConfigMap"]["zhunru-config"]["data"]["ALLOWED_HOSTS"].split(",")
    for rule in ingress["spec"]["rules"]:
        backend = rule["http"]["paths"][0]["backend"]["service"]
        assert backend["name"] == "zhunru-web" and backend["port"]["name"] == "http"
        host = rule["host"]
        assert host in allowed or host.replace("*", "") in allowed, host


def test_the_keda_example_scales_an_existing_worker_on_its_queue_list():
    import yaml

    from .manifests import K8S

    scaled = yaml.safe_load((K8S / "keda.example.yaml").read_text())
    docs, _ = k8s_documents()
    deployments = {d["metadata"]["name"] for d in docs if d["kind"] == "Deployment"}
    assert scaled["spec"]["scaleTargetRef"]["name"] in deployments
    queue = scaled["spec"]["triggers"][0]["metadata"]["listName"].split(":", 1)[1]
    target = next(d for d in docs if d["metadata"]["name"] == scaled["spec"]["scaleTargetRef"]["name"]
                  and d["kind"] == "Deployment")
    assert queue in queues_of(_container(target)["command"])
