"""Static checks of docker-compose.yml against the Compose Specification and the stack's rules.

No Docker engine is needed: the file is loaded with PyYAML (anchors and ``<<`` merges are
resolved, ``${VAR:?msg}`` interpolations stay literal strings) and validated with jsonschema.
"""

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from jsonschema.validators import Draft7Validator, validator_for

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
SCHEMA_FILE = ROOT / "tests" / "fixtures" / "compose-spec.json"

APP_SERVICES = ("intake", "ledger", "charity", "notify")


@pytest.fixture(scope="module")
def compose() -> dict:
    with COMPOSE_FILE.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@pytest.fixture(scope="module")
def services(compose: dict) -> dict:
    return compose["services"]


def environment(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {key: "" if value is None else str(value) for key, value in env.items()}


def compose_validator():
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    # The spec declares "https://json-schema.org/draft-07/schema", which jsonschema does not
    # list among its known metaschema URIs; name the draft so it is not guessed.
    return validator_for(schema, default=Draft7Validator)(schema)


def dependencies(service: dict) -> list[str]:
    depends_on = service.get("depends_on") or []
    return list(depends_on)


def test_schema_fixture_is_a_json_schema() -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert "draft-07" in schema["$schema"] or "2020-12" in schema["$schema"]
    assert schema["title"] == "Compose Specification"
    type(compose_validator()).check_schema(schema)


def test_schema_rejects_an_invalid_file() -> None:
    broken = {"services": {"web": {"image": "x", "no_such_key": True, "ports": "8000"}}}
    assert len(list(compose_validator().iter_errors(broken))) >= 2


def test_compose_file_matches_the_compose_specification(compose: dict) -> None:
    validator = compose_validator()
    errors = sorted(validator.iter_errors(compose), key=lambda error: list(error.absolute_path))
    messages = [
        f"{'/'.join(str(part) for part in error.absolute_path) or '<root>'}: {error.message}"
        for error in errors
    ]
    assert not messages, "docker-compose.yml violates the Compose Specification:\n" + "\n".join(
        messages
    )


def test_no_obsolete_version_key(compose: dict) -> None:
    assert "version" not in compose


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_service_is_complete(services: dict, name: str) -> None:
    assert name in services, f"service {name!r} missing"
    service = services[name]
    assert service.get("healthcheck", {}).get("test"), f"{name} has no healthcheck"
    assert service.get("build"), f"{name} is not built from the repository"
    assert service.get("command", [])[:3] == ["wushe", "serve", name]
    assert environment(service).get("DATABASE_URL"), f"{name} has no DATABASE_URL"


def test_app_services_share_one_image(services: dict) -> None:
    images = {services[name].get("image") for name in APP_SERVICES}
    assert len(images) == 1 and None not in images, images


def test_each_service_has_its_own_database(services: dict) -> None:
    databases = {}
    for name in APP_SERVICES:
        url = urlsplit(environment(services[name])["DATABASE_URL"])
        assert url.scheme == "postgresql+asyncpg", url.scheme
        assert url.hostname == "postgres", url.hostname
        databases[name] = url.path.lstrip("/")
    assert len(set(databases.values())) == len(APP_SERVICES), databases
    assert databases == {name: name for name in APP_SERVICES}


def test_init_script_creates_every_service_database(compose: dict) -> None:
    script = (ROOT / "infra" / "postgres" / "init-databases.sql").read_text(encoding="utf-8")
    for name in APP_SERVICES:
        assert f"'{name}'" in script, f"init script does not create database {name!r}"
    mounts = compose["services"]["postgres"]["volumes"]
    assert any(
        str(mount).startswith("./infra/postgres/init-databases.sql:/docker-entrypoint-initdb.d/")
        for mount in mounts
    ), mounts


def test_kafka_runs_in_kraft_mode(services: dict) -> None:
    assert "kafka" in services
    kafka_env = environment(services["kafka"])
    assert kafka_env.get("KAFKA_PROCESS_ROLES"), "KAFKA_PROCESS_ROLES missing"
    assert "controller" in kafka_env["KAFKA_PROCESS_ROLES"].split(",")
    assert "KAFKA_ZOOKEEPER_CONNECT" not in kafka_env
    assert not [name for name in services if "zookeeper" in name.lower()]
    assert services["kafka"].get("healthcheck", {}).get("test")


@pytest.mark.parametrize("name", APP_SERVICES)
def test_services_use_kafka_with_idempotence(services: dict, name: str) -> None:
    env = environment(services[name])
    assert env.get("KAFKA_BOOTSTRAP_SERVERS") == "kafka:9092"
    assert env.get("KAFKA_ENABLE_IDEMPOTENCE") == "true"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_services_export_traces_to_the_collector(services: dict, name: str) -> None:
    assert "otel-collector" in services
    assert "jaeger" in services
    endpoint = environment(services[name]).get("OTEL_EXPORTER_OTLP_ENDPOINT", "")
    assert urlsplit(endpoint).hostname == "otel-collector", endpoint


def test_collector_config_forwards_to_jaeger(services: dict) -> None:
    config = yaml.safe_load((ROOT / "infra" / "otel-collector.yaml").read_text(encoding="utf-8"))
    exporters = config["service"]["pipelines"]["traces"]["exporters"]
    jaeger_exporters = [
        exporter
        for exporter in exporters
        if config["exporters"][exporter].get("endpoint", "").startswith("jaeger:")
    ]
    assert jaeger_exporters, exporters
    assert set(config["receivers"]["otlp"]["protocols"]) == {"grpc", "http"}
    mounts = services["otel-collector"]["volumes"]
    assert any(str(mount).startswith("./infra/otel-collector.yaml:") for mount in mounts), mounts


@pytest.mark.parametrize("name", APP_SERVICES)
def test_required_secrets_have_no_default(services: dict, name: str) -> None:
    env = environment(services[name])
    assert env.get("WUSHE_ENVIRONMENT") == "production"
    for key in ("WUSHE_JWT_SECRET", "WUSHE_DATA_KEY"):
        assert env.get(key, "").startswith(f"${{{key}:?"), f"{name}: {key} must be required"


def test_every_dependency_exists(services: dict) -> None:
    missing = {
        name: target
        for name, service in services.items()
        for target in dependencies(service)
        if target not in services
    }
    assert not missing, missing


@pytest.mark.parametrize("name", APP_SERVICES)
def test_services_wait_for_healthy_infrastructure(services: dict, name: str) -> None:
    depends_on = services[name]["depends_on"]
    assert depends_on["kafka"]["condition"] == "service_healthy"
    assert depends_on["postgres"]["condition"] == "service_healthy"
    assert "otel-collector" in depends_on


def test_host_ports_do_not_collide(services: dict) -> None:
    published = []
    for service in services.values():
        for port in service.get("ports", []):
            if isinstance(port, dict):
                if port.get("published"):
                    published.append(str(port["published"]))
                continue
            parts = str(port).rsplit(":", 1)
            if len(parts) == 2 and parts[0]:
                published.append(parts[0].split(":")[-1])
    assert len(published) == len(set(published)), published
