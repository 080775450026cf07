"""Podman for the container tests, with the flags this sandbox needs, and a base image of our own.

No container registry is reachable here, so the base is made the way a `python:*-slim` image
looks: Debian bookworm from debootstrap with python, pip and venv, imported into podman's store
once per machine and kept there. `make container` installs podman, runc, debootstrap and
podman-compose (a dependency of `make test`). Every podman call has a time limit.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from accelevents_mock.control.admin_token import ADMIN_HEADER

REPO = Path(__file__).resolve().parents[1]
BASE_IMAGE = "localhost/accelevents-mock-test-base:bookworm"
REDIS_IMAGE = "localhost/accelevents-mock-test-redis:bookworm"
IMAGE = "localhost/accelevents-mock:test"
TITLE_LABEL = "org.opencontainers.image.title=accelevents-mock"  # the Containerfile's stages
PREFIX = f"acm-test-{os.getpid()}"  # names of this run's containers and compose project
BASE_PACKAGES = "python3,python3-venv,python3-pip,python-is-python3,ca-certificates"
# crun and the systemd cgroup manager fail in this sandbox; so do the default ulimits.
GLOBAL = ["--runtime", "runc", "--cgroup-manager", "cgroupfs"]
LIMITS = ["--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1000:1000"]
BUILD = ["--isolation", "chroot", "--network", "host", *LIMITS]
# pip in a build reaches the registry only with this machine's CA bundle.
CA_BUNDLE = Path(os.environ.get("PIP_CERT", "/etc/ssl/certs/ca-certificates.crt"))
TOKEN_LINE = re.compile(r"^Admin token \(made at start-up[^)]*\): (?P<token>\S+)$", re.MULTILINE)
# A Redis image for the compose file, made from the same base with Debian's redis-server.
REDIS_CONTAINERFILE = """ARG BASE
FROM ${BASE}
RUN apt-get update -qq \\
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server \\
 && rm -rf /var/lib/apt/lists/*
USER redis
CMD ["redis-server", "--bind", "0.0.0.0", "--protected-mode", "no", "--save", ""]
"""


def podman(*args: str, timeout_s: float = 60, check: bool = True,
           stdin: int | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(["podman", *GLOBAL, *args], capture_output=True, text=True,
                          timeout=timeout_s, stdin=stdin)
    if check and done.returncode != 0:
        raise RuntimeError(f"podman {' '.join(args[:2])} failed ({done.returncode}): "
                           f"{done.stderr[-2000:]}")
    return done


def has_image(name: str) -> bool:
    return podman("image", "exists", name, check=False).returncode == 0


def debian_mirror() -> str:
    """The Debian mirror apt already uses here (deb822 `URIs:` or a one-line `deb` entry)."""
    for source in sorted(Path("/etc/apt/sources.list.d").glob("*")) + [Path("/etc/apt/sources.list")]:
        if not source.is_file():
            continue
        for line in source.read_text().splitlines():
            found = re.match(r"^(?:URIs:\s*|deb\s+(?:\[[^]]*\]\s+)?)(\S+/debian)/?$", line.strip())
            if found:
                return found.group(1)
    raise RuntimeError("no Debian mirror in /etc/apt/sources.list.d/ or /etc/apt/sources.list")


def ensure_base_image() -> None:
    """Bookworm with python, pip and venv as BASE_IMAGE (about 80 s, once per machine)."""
    if has_image(BASE_IMAGE):
        return
    with tempfile.TemporaryDirectory(prefix="acm-base-") as directory:
        root = Path(directory) / "root"
        subprocess.run(["debootstrap", "--variant=minbase", f"--include={BASE_PACKAGES}",
                        "bookworm", str(root), debian_mirror()],
                       check=True, capture_output=True, timeout=900)
        for marker in root.glob("usr/lib/python3*/EXTERNALLY-MANAGED"):
            marker.unlink()  # as in python:*-slim, pip may install outside a venv
        tar = subprocess.Popen(["tar", "-C", str(root), "-c", "."], stdout=subprocess.PIPE)
        assert tar.stdout is not None
        try:
            podman("import", "-", BASE_IMAGE, stdin=tar.stdout.fileno(), timeout_s=300)
        finally:
            tar.stdout.close()
            tar.wait(timeout=60)


@dataclass(frozen=True)
class Built:
    image: str
    seconds: float
    size_bytes: int


def build_image(base: str = BASE_IMAGE, tag: str = IMAGE) -> Built:
    """The repository's own Containerfile on `base`; docker format, which keeps HEALTHCHECK."""
    started = time.monotonic()
    podman("build", "--format", "docker", *BUILD,
           "-v", f"{CA_BUNDLE}:/etc/ssl/certs/ca-certificates.crt:ro",
           "--build-arg", f"BASE={base}", "-t", tag, "-f", str(REPO / "Containerfile"), str(REPO),
           timeout_s=900)
    seconds = time.monotonic() - started
    # The build stage and the image this one replaced, left untagged: ours by their label.
    podman("image", "prune", "-f", "--filter", f"label={TITLE_LABEL}", timeout_s=120)
    size = int(podman("image", "inspect", tag, "--format", "{{.Size}}").stdout.strip())
    return Built(tag, seconds, size)


def ensure_redis_image() -> None:
    if has_image(REDIS_IMAGE):
        return
    with tempfile.TemporaryDirectory(prefix="acm-redis-") as directory:
        (Path(directory) / "Containerfile").write_text(REDIS_CONTAINERFILE)
        podman("build", *BUILD, "--build-arg", f"BASE={BASE_IMAGE}", "-t", REDIS_IMAGE,
               directory, timeout_s=600)


@dataclass
class Container:
    name: str
    url: str

    def log(self) -> str:
        done = podman("logs", self.name, check=False)
        return done.stdout + done.stderr

    def made_token(self) -> str:
        found = TOKEN_LINE.search(self.log())
        if found is None:
            raise AssertionError(f"no made admin token in the log:\n{self.log()[-3000:]}")
        return found.group("token")

    def control(self, path: str, token: str | None) -> httpx.Response:
        headers = {ADMIN_HEADER: token} if token else {}
        return httpx.get(f"{self.url}/__mock{path}", headers=headers, timeout=10)

    def state(self, field: str) -> str:
        return podman("inspect", self.name, "--format", f"{{{{.State.{field}}}}}").stdout.strip()


_count = iter(range(1_000_000))


@contextlib.contextmanager
def running(*arguments: str, port: int, options: tuple[str, ...] = (),
            image: str = IMAGE, timeout_s: float = 60) -> Iterator[Container]:
    """A container of `image` with `arguments` after the entrypoint, reached at 127.0.0.1:port;
    removed at the end, whatever happened. `options` go to `podman run` (network, env...)."""
    container = Container(f"{PREFIX}-{next(_count)}", f"http://127.0.0.1:{port}")
    try:
        podman("run", "-d", "--name", container.name, *LIMITS, *options, image, *arguments)
        wait_until_up(container, timeout_s)
        yield container
    finally:
        podman("rm", "-f", "-t", "0", container.name, check=False)


def wait_until_up(container: Container, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        with contextlib.suppress(httpx.TransportError):
            httpx.get(f"{container.url}/openapi.yaml", timeout=2)
            return
        if container.state("Running") != "true" or time.monotonic() > deadline:
            raise RuntimeError(f"the container did not start:\n{container.log()[-3000:]}")
        time.sleep(0.2)


@contextlib.contextmanager
def compose_up(*services: str, env: dict[str, str]) -> Iterator[str]:
    """`podman-compose up -d` of the repository's compose.yaml, as project PREFIX; down (and its
    network removed) at the end. Yields the project name."""
    project = f"{PREFIX}-compose"
    command = ["podman-compose", "-p", project, "-f", str(REPO / "compose.yaml"),
               "--podman-args", " ".join(GLOBAL), "--podman-run-args", " ".join(LIMITS)]
    environment = {**os.environ, **env}
    try:
        subprocess.run([*command, "up", "-d", *services], check=True, capture_output=True,
                       text=True, timeout=180, env=environment, cwd=REPO)
        yield project
    finally:
        subprocess.run([*command, "--podman-stop-args", "-t 5", "down"], capture_output=True,
                       timeout=120, env=environment, cwd=REPO)
        podman("network", "rm", "-f", f"{project}_default", check=False)


def missing_tools() -> list[str]:
    return [tool for tool in ("podman", "runc", "debootstrap", "podman-compose")
            if shutil.which(tool) is None]
