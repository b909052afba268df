"""The container setup: compose.yaml follows the Compose specification and wires the app to its
database and Redis the way `docker compose up` needs, and the Dockerfile builds an image that serves."""

from __future__ import annotations

import ipaddress
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from jsonschema import Draft7Validator
from sqlalchemy.engine import make_url

REPO_ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = REPO_ROOT / "compose.yaml"
DOCKERFILE = REPO_ROOT / "Dockerfile"
NGINX_CONF = REPO_ROOT / "deploy" / "nginx.conf"
COMPOSE_SCHEMA = Path(__file__).resolve().parents[1].parent / "shared" / "formats" / "compose-spec.json"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    document = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(document, dict), "compose.yaml must hold a mapping"
    return document


def environment(service: dict[str, Any]) -> dict[str, str]:
    """A service's environment as a dict, whether written as a mapping or as a list of KEY=VALUE."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {key: "" if value is None else str(value) for key, value in env.items()}


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with comments dropped and continuation lines joined."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        pending += line
        keyword, _, arguments = pending.partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
        pending = ""
    return instructions


def test_compose_file_is_valid_against_the_compose_specification(compose: dict[str, Any]) -> None:
    if not COMPOSE_SCHEMA.is_file():
        pytest.skip(f"Compose specification schema not found at {COMPOSE_SCHEMA}")
    schema = json.loads(COMPOSE_SCHEMA.read_text(encoding="utf-8"))
    # The schema says Draft-07 under an https $schema URL that jsonschema does not recognise (it would
    # fall back to the newest draft with a DeprecationWarning), so name the draft explicitly.
    Draft7Validator.check_schema(schema)
    validator = Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(compose), key=lambda error: list(error.absolute_path))
    assert not errors, "\n".join(
        f"{'/'.join(map(str, error.absolute_path)) or '<root>'}: {error.message}" for error in errors
    )


def test_compose_file_has_no_obsolete_version_key(compose: dict[str, Any]) -> None:
    assert "version" not in compose


def test_app_starts_only_once_the_database_is_healthy(compose: dict[str, Any]) -> None:
    depends_on = compose["services"]["app"]["depends_on"]
    assert isinstance(depends_on, dict), "the short (list) form cannot wait for health"
    assert depends_on["db"]["condition"] == "service_healthy"


def test_database_reports_health_with_pg_isready(compose: dict[str, Any]) -> None:
    healthcheck = compose["services"]["db"]["healthcheck"]
    test = healthcheck["test"]
    command = test if isinstance(test, str) else " ".join(test)
    assert "pg_isready" in command
    assert not healthcheck.get("disable", False)


def test_database_keeps_its_data_in_a_named_volume(compose: dict[str, Any]) -> None:
    mounts = []
    for volume in compose["services"]["db"].get("volumes", []):
        if isinstance(volume, str):
            source, _, target = volume.partition(":")
            mounts.append((source, target.split(":")[0]))
        else:
            mounts.append((volume.get("source"), volume.get("target")))
    named = [source for source, target in mounts if target == "/var/lib/postgresql/data"]
    assert named, "the PostgreSQL data directory is not mounted"
    assert named[0] in (compose.get("volumes") or {}), "the data volume is not a declared named volume"


def test_app_connects_to_the_db_service_with_asyncpg(compose: dict[str, Any]) -> None:
    services = compose["services"]
    url = make_url(environment(services["app"])["PLENARY_DATABASE_URL"])
    db_env = environment(services["db"])
    assert url.drivername == "postgresql+asyncpg"
    assert url.host == "db"
    assert url.username == db_env["POSTGRES_USER"]
    assert url.password == db_env["POSTGRES_PASSWORD"]
    assert url.database == db_env["POSTGRES_DB"]


def test_redis_reports_health_with_redis_cli_ping(compose: dict[str, Any]) -> None:
    healthcheck = compose["services"]["redis"]["healthcheck"]
    test = healthcheck["test"]
    command = test if isinstance(test, str) else " ".join(test)
    assert "redis-cli" in command
    assert "ping" in command
    assert not healthcheck.get("disable", False)


def test_app_starts_only_once_redis_is_healthy(compose: dict[str, Any]) -> None:
    depends_on = compose["services"]["app"]["depends_on"]
    assert depends_on["redis"]["condition"] == "service_healthy"


def test_app_shares_its_rate_limits_through_the_redis_service(compose: dict[str, Any]) -> None:
    url = urlsplit(environment(compose["services"]["app"])["PLENARY_REDIS_URL"])
    assert url.scheme == "redis"
    assert url.hostname == "redis"
    assert url.port in (None, 6379)


def test_app_has_a_healthcheck_and_is_reached_through_the_proxy(compose: dict[str, Any]) -> None:
    app, proxy = compose["services"]["app"], compose["services"]["proxy"]
    assert app["healthcheck"]["test"]
    assert not app.get("ports"), "a replica publishing a host port would clash with the next one"
    assert "8000:80" in [str(port) for port in proxy.get("ports", [])]


def test_app_runs_two_replicas(compose: dict[str, Any]) -> None:
    assert compose["services"]["app"]["deploy"]["replicas"] == 2


def test_proxy_is_an_official_image_with_the_committed_config_mounted(compose: dict[str, Any]) -> None:
    proxy = compose["services"]["proxy"]
    assert proxy["image"].split(":")[0] in {"nginx", "caddy"}
    mounts = [volume.split(":") for volume in proxy["volumes"] if isinstance(volume, str)]
    [(source, target, *_)] = [mount for mount in mounts if mount[0].startswith("./")]
    assert (REPO_ROOT / source).resolve() == NGINX_CONF
    assert target == "/etc/nginx/conf.d/default.conf"


def test_proxy_starts_once_the_app_is_healthy_and_reports_its_own_health(compose: dict[str, Any]) -> None:
    proxy = compose["services"]["proxy"]
    assert proxy["depends_on"]["app"]["condition"] == "service_healthy"
    assert proxy["healthcheck"]["test"]
    assert not proxy["healthcheck"].get("disable", False)


def test_app_trusts_the_forwarded_address_of_the_proxy_alone(compose: dict[str, Any]) -> None:
    address = ipaddress.ip_address(compose["services"]["proxy"]["networks"]["default"]["ipv4_address"])
    [subnet] = [config["subnet"] for config in compose["networks"]["default"]["ipam"]["config"]]
    assert address in ipaddress.ip_network(subnet)
    trusted = environment(compose["services"]["app"])["PLENARY_TRUSTED_PROXIES"]
    assert [ipaddress.ip_network(item.strip()) for item in trusted.split(",")] == [ipaddress.ip_network(address)]


def nginx_directives(block: str) -> dict[str, str]:
    """``name -> arguments`` of the simple directives in one block of nginx configuration."""
    return {
        match.group(1): match.group(2).strip()
        for match in re.finditer(r"^\s*([a-z_]+)\s+([^;{]*);", block, flags=re.MULTILINE)
    }


def nginx_location(pattern: str) -> str:
    """The body of the ``location`` whose argument matches the Python regex ``pattern``."""
    config = NGINX_CONF.read_text(encoding="utf-8")
    found = re.search(r"location\s+" + pattern + r"\s*\{([^}]*)\}", config)
    assert found, f"no location {pattern} in {NGINX_CONF.name}"
    return found.group(1)


def test_proxy_balances_over_every_replica_of_the_app_service() -> None:
    config = NGINX_CONF.read_text(encoding="utf-8")
    upstream = re.search(r"upstream\s+(\w+)\s*\{([^}]*)\}", config)
    assert upstream, "no upstream block"
    assert re.search(r"^\s*server\s+app:8000\b[^;]*\bresolve\b", upstream.group(2), flags=re.MULTILINE)
    assert "resolver" in nginx_directives(config), "replicas added or restarted would never be found"
    assert nginx_directives(nginx_location("/"))["proxy_pass"] == f"http://{upstream.group(1)}"


def test_proxy_streams_live_events_unbuffered_and_long() -> None:
    config = NGINX_CONF.read_text(encoding="utf-8")
    found = re.search(r"location\s+~\s*(\S+)\s*\{([^}]*)\}", config)
    assert found, "no regex location for the live streams"
    pattern, live = re.compile(found.group(1)), nginx_directives(found.group(2))
    assert all(pattern.search(path) for path in ("/events/nlp/live", "/me/live"))
    assert not any(pattern.search(path) for path in ("/events/nlp/schedule", "/events/nlp/live/x", "/me/takeaways"))
    assert live["proxy_buffering"] == "off"
    assert live["proxy_pass"] == nginx_directives(nginx_location("/"))["proxy_pass"]
    read_timeout = live["proxy_read_timeout"]
    seconds = int(read_timeout[:-1]) * {"s": 1, "m": 60, "h": 3600}[read_timeout[-1]]
    assert seconds >= 300, "the proxy would cut an idle stream between two heartbeats"


def test_proxy_forwards_the_client_address_and_keeps_connections_to_the_replicas() -> None:
    config = NGINX_CONF.read_text(encoding="utf-8")
    server = nginx_directives(config)
    headers = re.findall(r"proxy_set_header\s+(\S+)\s+([^;]+);", config)
    assert ("X-Forwarded-For", "$proxy_add_x_forwarded_for") in headers
    assert ("Connection", '""') in headers
    assert server["proxy_http_version"] == "1.1"


def test_image_runs_plenary_serve() -> None:
    commands = [arguments for keyword, arguments in dockerfile_instructions() if keyword == "CMD"]
    assert commands, "the Dockerfile has no CMD"
    # Only the last CMD counts; the exec form keeps `plenary` as PID 1 so it receives SIGTERM.
    assert json.loads(commands[-1]) == ["plenary", "serve"]


def test_image_copies_the_demo_fixtures_before_installing() -> None:
    instructions = dockerfile_instructions()
    copies = [
        index
        for index, (keyword, arguments) in enumerate(instructions)
        if keyword == "COPY" and any(part.rstrip("/") == "fixtures" for part in arguments.split()[:-1])
    ]
    installs = [
        index
        for index, (keyword, arguments) in enumerate(instructions)
        if keyword == "RUN" and "pip install" in arguments
    ]
    assert copies, "fixtures/ is not copied into the image, so the wheel would lack the demo data"
    assert installs, "the Dockerfile does not pip install the project"
    assert copies[0] < installs[-1]
