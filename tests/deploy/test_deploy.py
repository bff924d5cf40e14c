"""deploy/: the Kubernetes manifests against the real Kubernetes API schemas, offline.

No Docker daemon or cluster runs on the development machines, so the stack is
not brought up here; `kubernetes-validate` checks every manifest against the
JSON schemas of the Kubernetes API (strict: unknown fields fail), and the
checks below tie the manifests to the code (roles, variables, files).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, List
from urllib.parse import urlsplit

import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
KUBERNETES_VERSION = "1.28"
# PostgreSQL's default max_connections, minus what superusers and tools keep.
PG_CONNECTION_BUDGET = 100 - 10


def documents() -> List[Dict[str, Any]]:
    docs = []
    for path in sorted(K8S.rglob("*.yaml")):
        docs += [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]
    return docs


def by_kind(kind: str) -> List[Dict[str, Any]]:
    return [doc for doc in documents() if doc["kind"] == kind]


def containers() -> List[Dict[str, Any]]:
    workloads = by_kind("Deployment") + by_kind("StatefulSet")
    return [c for w in workloads for c in w["spec"]["template"]["spec"]["containers"]]


@pytest.mark.parametrize("doc", documents(), ids=lambda d: f"{d['kind']}/{d['metadata']['name']}")
def test_manifest_matches_the_kubernetes_schema(doc: Dict[str, Any]) -> None:
    kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_a_typo_is_caught() -> None:
    bad = dict(by_kind("Deployment")[0])
    bad["spec"] = dict(bad["spec"], replica=2)  # not `replicas`
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(bad, KUBERNETES_VERSION, strict=True)


def test_every_container_has_readiness_and_liveness_probes() -> None:
    for container in containers():
        assert "readinessProbe" in container and "livenessProbe" in container, container["name"]


def test_bot_roles_exist_in_the_image() -> None:
    entrypoint = (ROOT / "deploy" / "entrypoint.sh").read_text(encoding="utf-8")
    roles = {c["args"][0] for c in containers() if c["image"].endswith("clinic-bot:latest")}
    assert roles == {"rasa", "actions"}
    for role in roles:
        assert re.search(rf"^\s+{role}\)$", entrypoint, re.M), role


def test_dockerfile_copies_what_exists() -> None:
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text(encoding="utf-8")
    for line in re.findall(r"^COPY (.+)$", dockerfile, re.M):
        for source in line.split()[:-1]:
            if source != "models/":  # made by `make train` before the build
                assert (ROOT / source).exists(), f"Dockerfile copies missing {source}"


def test_settings_cover_what_the_code_reads() -> None:
    config = by_kind("ConfigMap")[0]["data"]
    secret = by_kind("Secret")[0]["stringData"]
    needed = {
        "DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "DB_PASSWORD", "DB_POOL_SIZE", "DB_MAX_OVERFLOW",
        "REDIS_URL", "ACTION_SERVER_URL", "TWILIO_AUTH_TOKEN", "SMS_SENDER_KEY", "SMS_PUBLIC_URL",
    }
    assert needed <= set(config) | set(secret)
    assert not {"DB_PASSWORD", "TWILIO_AUTH_TOKEN", "SMS_SENDER_KEY"} & set(config), "secrets in the ConfigMap"


def test_sms_webhook_is_served_over_tls_on_the_signed_url() -> None:
    sms_url = urlsplit(by_kind("ConfigMap")[0]["data"]["SMS_PUBLIC_URL"])
    ingress = by_kind("Ingress")[0]["spec"]
    assert sms_url.scheme == "https"
    assert any(sms_url.hostname in tls["hosts"] for tls in ingress["tls"])
    paths = [p["path"] for rule in ingress["rules"] if rule["host"] == sms_url.hostname
             for p in rule["http"]["paths"]]
    assert any(sms_url.path.startswith(path) for path in paths)


def test_rasa_replicas_fit_in_postgres_connections() -> None:
    config = by_kind("ConfigMap")[0]["data"]
    per_pod = int(config["DB_POOL_SIZE"]) + int(config["DB_MAX_OVERFLOW"])
    rasa = next(d for d in by_kind("Deployment") if d["metadata"]["name"] == "clinic-rasa")
    # A rolling update runs maxSurge extra pods for a while.
    pods = rasa["spec"]["replicas"] + rasa["spec"]["strategy"]["rollingUpdate"]["maxSurge"]
    assert pods * per_pod <= PG_CONNECTION_BUDGET


def test_container_endpoints_use_the_same_stores(monkeypatch: pytest.MonkeyPatch) -> None:
    from rasa.core.utils import AvailableEndpoints

    monkeypatch.setenv("ACTION_SERVER_URL", "http://clinic-actions:5055/webhook")
    deployed = AvailableEndpoints.read_endpoints(str(ROOT / "deploy" / "endpoints.yml"))
    local = AvailableEndpoints.read_endpoints(str(ROOT / "endpoints.yml"))
    assert deployed.action.url == "http://clinic-actions:5055/webhook"
    assert deployed.tracker_store.type == local.tracker_store.type == "stores.tracker_store.EnvSQLTrackerStore"
    assert deployed.lock_store.type == local.lock_store.type == "stores.lock_store.AtomicRedisLockStore"


def test_entrypoint_is_valid_shell() -> None:
    import subprocess

    subprocess.run(["sh", "-n", str(ROOT / "deploy" / "entrypoint.sh")], check=True)


def test_retention_purge_runs_daily_as_a_role_of_the_image() -> None:
    """Issue 11: the CronJob runs scripts/purge.py through the entrypoint, with the database settings."""
    (job,) = [job for job in by_kind("CronJob") if job["metadata"]["name"].endswith("purge")]
    spec = job["spec"]
    assert spec["concurrencyPolicy"] == "Forbid"
    assert len(spec["schedule"].split()) == 5 and spec["schedule"].split()[2:] == ["*", "*", "*"]
    pod = spec["jobTemplate"]["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["args"] == ["purge"]
    entrypoint = (ROOT / "deploy" / "entrypoint.sh").read_text(encoding="utf-8")
    assert re.search(r"^\s+purge\)$", entrypoint, re.M) and "scripts/purge.py" in entrypoint
    assert "scripts/purge.py" in (ROOT / "deploy" / "Dockerfile").read_text(encoding="utf-8")
    sources = {ref.get("configMapRef", ref.get("secretRef", {})).get("name") for ref in container["envFrom"]}
    assert sources == {"clinic-bot"} and {"configMapRef", "secretRef"} <= {k for r in container["envFrom"] for k in r}


def test_the_widgets_delete_chat_reaches_the_bot() -> None:
    """Issue 11: POST /webhooks/socketio/forget is routed to the Rasa Service."""
    ingress = by_kind("Ingress")[0]["spec"]
    paths = [p for rule in ingress["rules"] for p in rule["http"]["paths"]]
    assert any("/webhooks/socketio/forget".startswith(p["path"]) and p["backend"]["service"]["name"] == "clinic-rasa"
               for p in paths)
