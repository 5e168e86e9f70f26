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
import time


ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "instance" / "scripts"))

import scaleout  # noqa: E402


DEMO_PASSWORD = "zhangdian-demo"
STORAGES = ("filestorage", "relstorage")
READY_CASES = 4
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
        self.processes = []
        self.cases = []

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

    def start(self):
        """Start every node and wait until each answers."""
        for node, port in enumerate(self.ports, start=1):
            log = (self.home / f"node{node}.log").open("ab")
            self.processes.append(
                subprocess.Popen(
                    [
                        BIN / "runwsgi",
                        self.config(node, "ini"),
                        "http_host=127.0.0.1",
                        f"http_port={port}",
                    ],
                    env=self.env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        deadline = time.monotonic() + START_TIMEOUT
        for url, process in zip(self.urls, self.processes, strict=True):
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"{url} did not start; see {self.home}/node*.log")
                try:
                    answer = requests.get(f"{url}/@matters", headers=JSON, timeout=5)
                    if answer.status_code == 200:
                        break
                except requests.ConnectionError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{url} did not answer within {START_TIMEOUT} s")
                time.sleep(0.5)

    def stop(self):
        """Stop every node (SIGTERM, as a service manager would)."""
        for process in self.processes:
            process.send_signal(signal.SIGTERM)
        for process in self.processes:
            process.wait(timeout=60)
        self.processes = []

    def session(self, userid, node=0):
        """A JSON session for a demo user on one node."""
        session = requests.Session()
        session.auth = (userid, DEMO_PASSWORD)
        session.headers.update(JSON)
        session.base = self.urls[node]
        return session


@pytest.fixture(scope="session")
def postgres():
    """A PostgreSQL cluster of its own on a free loopback port, removed afterwards."""
    base = Path(tempfile.mkdtemp(prefix="zd-postgres-"))
    base.chmod(0o755)  # initdb runs as the postgres account when the tests run as root
    data = base / "data"
    dsn = scaleout.postgres_start(data, free_port())
    yield dsn
    scaleout.postgres_stop(data)
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module", params=STORAGES)
def cluster(request, tmp_path_factory):
    """A demo portal with test tokens and ready cases, running on the storage of the param."""
    storage = request.param
    home = tmp_path_factory.mktemp(storage)
    env = {**os.environ, "SOFTHSM2_CONF": str(home / "pki" / "softhsm" / "softhsm2.conf")}
    if storage == "relstorage":
        env["ZODB_DSN"] = request.getfixturevalue("postgres")
    instance = home / "instance"
    subprocess.run(
        [
            BIN / "mkwsgiinstance",
            "-s",
            ROOT / "instance" / "skel",
            "-d",
            instance,
            "-u",
            "admin:admin",
        ],
        check=True,
        capture_output=True,
    )
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
    portal.cases = json.loads(ready.strip().splitlines()[-1])["paths"]
    portal.start()
    yield portal
    portal.stop()
