"""Real Zope instances on FileStorage and on RelStorage/PostgreSQL, driven over HTTP."""

from pathlib import Path

import json
import os
import pytest
import requests
import shutil
import signal
import socket
import subprocess
import sys
import tempfile


ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "instance" / "scripts"))

import scaleout  # noqa: E402


DEMO_PASSWORD = "zhangdian-demo"
STORAGES = ("filestorage", "relstorage")
READY_CASES = 8
START_TIMEOUT = 120
JSON = {"Accept": "application/json"}


def free_port():
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Cluster:
    """One FileStorage instance, or two RelStorage nodes on one PostgreSQL database."""

    def __init__(self, storage, home, env):
        self.storage = storage
        self.home = home
        self.instance = home / "instance"
        self.env = env
        self.nodes = 2 if storage == "relstorage" else 1
        self.ports = [free_port() for _ in range(self.nodes)]
        self.processes = {}
        self.cases = []
        self.codes = {}

    def config(self, node, suffix):
        """The node's zope.conf or zope.ini."""
        etc = self.instance / "etc"
        return etc / (f"zope-node{node}.{suffix}" if self.nodes > 1 else f"zope.{suffix}")

    @property
    def urls(self):
        """Each node's portal URL."""
        return [f"http://127.0.0.1:{port}/Plone" for port in self.ports]

    def zconsole(self, script, **env):
        """Run a zconsole script against the database (FileStorage: only while stopped)."""
        return subprocess.run(
            [BIN / "zconsole", "run", self.config(1, "conf"), script],
            env={**self.env, **env},
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    def start(self, nodes=None):
        """Start the nodes (all by default) and wait until each answers."""
        nodes = range(self.nodes) if nodes is None else nodes
        for node in nodes:
            log = (self.home / f"node{node + 1}.log").open("ab")
            self.processes[node] = scaleout.start_node(
                self.config(node + 1, "ini"),
                self.ports[node],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        for node in nodes:
            try:
                scaleout.wait_until_answering(
                    self.urls[node], self.processes[node], timeout=START_TIMEOUT
                )
            except RuntimeError as error:
                raise RuntimeError(f"{error}; see {self.home}/node*.log") from error

    def stop(self):
        """Stop every node (SIGTERM, as a service manager would)."""
        for process in self.processes.values():
            process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            process.wait(timeout=60)
        self.processes = {}

    def kill(self, node=0):
        """Kill one node outright (SIGKILL: no clean-up, as a power cut would)."""
        process = self.processes.pop(node)
        process.kill()
        process.wait(timeout=60)

    def session(self, userid, node=0):
        """A JSON session for a demo user on one node."""
        session = requests.Session()
        session.auth = (userid, DEMO_PASSWORD)
        session.headers.update(JSON)
        session.base = self.urls[node]
        return session


class Postgres:
    """A PostgreSQL cluster of its own on a free loopback port."""

    def __init__(self):
        self.base = Path(tempfile.mkdtemp(prefix="zd-postgres-"))
        self.base.chmod(0o755)  # initdb runs as the postgres account when the tests run as root
        self.data = self.base / "data"
        self.port = free_port()
        self.dsn = scaleout.postgres_start(self.data, self.port)

    def restart(self):
        """Stop (fast: connections are cut) and start again."""
        scaleout.postgres_stop(self.data)
        scaleout.postgres_start(self.data, self.port)


@pytest.fixture(scope="session")
def postgres():
    """The tests' PostgreSQL, removed afterwards."""
    server = Postgres()
    yield server
    scaleout.postgres_stop(server.data)
    shutil.rmtree(server.base, ignore_errors=True)


@pytest.fixture(scope="module", params=STORAGES)
def cluster(request, tmp_path_factory):
    """A demo portal with test tokens and ready cases, running on the storage of the param."""
    storage = request.param
    home = tmp_path_factory.mktemp(storage)
    env = {**os.environ, "SOFTHSM2_CONF": str(home / "pki" / "softhsm" / "softhsm2.conf")}
    if storage == "relstorage":
        env["ZODB_DSN"] = request.getfixturevalue("postgres").dsn
    instance = home / "instance"
    scaleout.create_instance(instance)
    if storage == "relstorage":
        scaleout.configure(instance, nodes=2)
    portal = Cluster(storage, home, env)
    portal.zconsole(ROOT / "instance" / "scripts" / "create_site.py", DEMO="1")
    portal.zconsole(
        ROOT / "instance" / "scripts" / "test_pki.py",
        PKI_DIR=str(home / "pki"),
        APPROVERS="approver1",
    )
    ready = portal.zconsole(Path(__file__).parent / "ready_cases.py", COUNT=str(READY_CASES))
    prepared = json.loads(ready.strip().splitlines()[-1])
    portal.cases, portal.codes = prepared["paths"], prepared["codes"]
    try:
        portal.start()
        yield portal
    finally:
        portal.stop()
