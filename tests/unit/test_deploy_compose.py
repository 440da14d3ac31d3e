"""docker-compose.yml names only what exists: build contexts and the files their Dockerfiles
copy, bind-mounted paths, variables (secrets required from .env, no default passwords), the
gateway's own variables and commands. `docker compose config` runs where the plugin works."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from gateway.cli import app
from tests.conftest import REPO

COMPOSE = REPO / "docker-compose.yml"
ENV_EXAMPLE = REPO / ".env.example"
# Added by the hosted-SFTP branch (its sshd configuration and account script); until it is
# merged they are missing here, and outside CI the checks of those two files are skipped.
FROM_SFTP_BRANCH = {"deploy/sftp/sshd_config", "deploy/sftp/add-carrier.sh"}
VARIABLE = re.compile(r"\$\{([A-Z0-9_]+)(:?[-?][^}]*)?\}")


def compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE.read_text())
    assert isinstance(data, dict)
    return data


def test_every_build_context_and_what_its_dockerfile_copies_exists() -> None:
    builds = {name: s["build"] for name, s in compose()["services"].items() if "build" in s}
    assert set(builds) >= {"gateway", "worker", "sftp"}
    pending = []
    for name, build in builds.items():
        context = REPO / (build if isinstance(build, str) else build["context"])
        dockerfile = context / (
            "Dockerfile" if isinstance(build, str) else build.get("dockerfile", "Dockerfile")
        )
        assert dockerfile.is_file(), f"{name}: {dockerfile}"
        for line in dockerfile.read_text().splitlines():
            words = line.split()
            if words[:1] in (["COPY"], ["ADD"]):
                for source in [w for w in words[1:-1] if not w.startswith("--")]:
                    path = context / source
                    rel = path.resolve().relative_to(REPO).as_posix()
                    if not path.exists() and rel in FROM_SFTP_BRANCH and not os.environ.get("CI"):
                        pending.append(rel)
                        continue
                    assert path.exists(), f"{name}: COPY {source} not in {context}"
    if pending:
        pytest.skip(f"{', '.join(pending)}: come with the hosted-SFTP branch")


def test_bind_mounts_point_into_the_repository() -> None:
    for name, service in compose()["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (REPO / source).exists(), f"{name}: {source}"


def test_secrets_are_required_from_the_env_file_and_have_no_defaults() -> None:
    text = COMPOSE.read_text()
    example = {
        line.split("=")[0]
        for line in ENV_EXAMPLE.read_text().splitlines()
        if line and not line.startswith("#")
    }
    names = {m.group(1): m.group(2) or "" for m in VARIABLE.finditer(text)}
    assert names, "no variables?"
    for name, tail in names.items():
        assert name in example, f"{name} is not in .env.example"
        if re.search("PASSWORD|SECRET|TOKEN|KEY", name):
            assert tail.startswith(":?"), f"{name} must be required (${{{name}:?...}})"
    assert "change-me" not in text
    for line in ENV_EXAMPLE.read_text().splitlines():
        if re.match(r"[A-Z_]*(PASSWORD|SECRET)[A-Z_]*=", line):
            assert line.endswith("="), f"a default secret in .env.example: {line}"


def test_the_api_is_published_on_loopback_only_and_every_service_has_a_health_check() -> None:
    services = compose()["services"]
    assert services["gateway"]["ports"] == ["127.0.0.1:${GATEWAY_API_PORT:-8080}:8080"]
    for name in ("postgres", "rabbitmq", "sftp", "gateway"):
        assert services[name]["healthcheck"]["test"], name
    for name, service in services.items():
        for port in service.get("ports", []):
            if port.split(":")[-1] == "8080":
                assert port.startswith("127.0.0.1:"), f"{name}: {port}"


def test_gateway_commands_and_variables_exist_in_the_code() -> None:
    services = compose()["services"]
    commands = {
        c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands
    }
    source = "\n".join(p.read_text() for p in (REPO / "gateway").rglob("*.py"))
    for name in ("gateway", "worker"):
        command = services[name]["command"]
        assert command[0] == "gateway" and command[1] in commands, command
        for variable in services[name]["environment"]:
            if variable.startswith("GATEWAY_"):
                assert f'"{variable}"' in source, f"{name}: {variable} is read nowhere"
    entry = REPO / "deploy" / "sftp" / "entrypoint.sh"
    assert os.access(entry, os.X_OK)


def _compose_plugin() -> bool:
    if shutil.which("docker") is None:
        return False
    probe = subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=60)
    return probe.returncode == 0


@pytest.mark.skipif(not _compose_plugin(), reason="no docker compose plugin on this machine")
def test_docker_compose_config_accepts_the_file(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text("POSTGRES_PASSWORD=x1\nRABBITMQ_PASSWORD=x2\n")
    done = subprocess.run(
        ["docker", "compose", "-f", str(COMPOSE), "--env-file", str(env), "config", "-q"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    missing = subprocess.run(
        ["docker", "compose", "-f", str(COMPOSE), "--env-file", os.devnull, "config", "-q"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert missing.returncode != 0 and "POSTGRES_PASSWORD" in missing.stderr
