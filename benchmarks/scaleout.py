"""Our overhead and throughput over HTTP: FileStorage, RelStorage/PostgreSQL with 1 and 2 nodes.

Takes the N-application database of authorization_change.py (N=10000 by default; built
first when missing), copies it, adds a test PKI for approver1 and fresh submitted cases,
converts it to RelStorage on a throwaway PostgreSQL, then for each setup (FileStorage 1 node,
RelStorage 1 node, RelStorage 2 nodes) measures over loopback HTTP:

* `@approval-queue` against `@search` for the same applications, `@matters` against
  `@search` for the same matters (the overhead of our code over a bare catalog query);
* a full decision (accept, tick the checklist, approve signed with SoftHSM2 on the server:
  PDF, PAdES, journal) against a bare workflow transition on a plain Document;
* decisions per second with two clients per node (throughput scaling).

Prints a table; asserts nothing about speed. Environment: DECISIONS (per setup, default 20),
ROUNDS (default 15).
"""

from instances import new_instance
from pathlib import Path

import authorization_change as base
import json
import os
import requests
import shutil
import statistics
import subprocess
import sys
import threading
import time


ROOT = base.ROOT
BIN = base.BIN
OUT = ROOT / "benchmarks" / "out" / f"scaleout-{base.COUNT}"
SOURCE = base.INSTANCE
ROUNDS = int(os.environ.get("ROUNDS", "15"))
DECISIONS = int(os.environ.get("DECISIONS", "20"))
SETUPS = (("FileStorage", 1), ("RelStorage", 1), ("RelStorage", 2))
PASSWORD = "zhangdian-demo"  # noqa: S105 - the demo profile's documented password
JSON = {"Accept": "application/json"}
sys.path.insert(0, str(ROOT / "instance" / "scripts"))

import scaleout  # noqa: E402


def log(message):
    """Progress on stderr."""
    print(message, file=sys.stderr, flush=True)


def run(command, env, **kwargs):
    """Run a command, failing loudly."""
    return subprocess.run(command, env=env, check=True, text=True, capture_output=True, **kwargs)


def session(userid, password=PASSWORD):
    """A JSON HTTP session."""
    client = requests.Session()
    client.auth = (userid, password)
    client.headers.update(JSON)
    return client


def median_ms(call, rounds=ROUNDS):
    """Median wall time of `call` in ms after one warm-up call."""
    call()
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        answer = call()
        samples.append((time.perf_counter() - started) * 1000)
        answer.raise_for_status()
    return statistics.median(samples)


class Nodes:
    """Zope processes on consecutive free ports for one configuration."""

    def __init__(self, inis, env):
        self.ports = [18080 + index for index in range(len(inis))]
        self.processes = [
            scaleout.start_node(
                ini, port, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
            )
            for ini, port in zip(inis, self.ports, strict=True)
        ]
        for url, process in zip(self.urls, self.processes, strict=True):
            scaleout.wait_until_answering(url, process, timeout=180)

    @property
    def urls(self):
        """The portal URL of each node."""
        return [f"http://127.0.0.1:{port}/Plone" for port in self.ports]

    def stop(self):
        """SIGTERM and wait."""
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            process.wait(timeout=60)


def decide(url, path, materials):
    """accept → checklist → approve signed on the server token; seconds taken."""
    approver = session("approver1")
    target = f"{url.rsplit('/Plone', 1)[0]}{path}"
    started = time.perf_counter()
    approver.post(f"{target}/@workflow/accept", json={"comment": "材料齐全"}).raise_for_status()
    approver.patch(
        target,
        json={
            "checked_materials": materials,
            "legal_basis_confirmed": True,
            "conditions_confirmed": True,
        },
    ).raise_for_status()
    signed = approver.post(
        f"{target}/@sign-server", json={"transition": "approve", "reason": "", "pin": "123456"}
    )
    signed.raise_for_status()
    return time.perf_counter() - started


def measure(nodes, cases, materials):
    """The figures of one setup."""
    url = nodes.urls[0]
    approver = session("approver1")
    admin = session("admin", "admin")
    figures = {
        "queue": median_ms(lambda: approver.get(f"{url}/@approval-queue")),
        "queue_bare": median_ms(
            lambda: approver.get(
                f"{url}/@search",
                params={
                    "portal_type": "Application",
                    "review_state": ["submitted", "accepted", "awaiting_supplement"],
                    "b_size": 25,
                },
            )
        ),
        "matters": median_ms(lambda: requests.get(f"{url}/@matters", headers=JSON, timeout=60)),
        "matters_bare": median_ms(
            lambda: requests.get(
                f"{url}/@search",
                params={"portal_type": "Matter", "review_state": "published", "b_size": 25},
                headers=JSON,
                timeout=60,
            )
        ),
    }
    document = admin.post(url, json={"@type": "Document", "title": f"bench {time.time()}"})
    document.raise_for_status()
    doc = document.json()["@id"]
    flips = iter(["publish", "retract"] * (ROUNDS + 1))
    figures["document_transition"] = median_ms(lambda: admin.post(f"{doc}/@workflow/{next(flips)}"))
    # Sequential decisions on node 1, then parallel ones over every node with two clients each.
    sequential, parallel = cases[: DECISIONS // 2], cases[DECISIONS // 2 :]
    figures["decision"] = statistics.median(decide(url, p, materials) for p in sequential) * 1000
    clients = [(nodes.urls[i % len(nodes.urls)], []) for i in range(2 * len(nodes.urls))]
    for index, path in enumerate(parallel):
        clients[index % len(clients)][1].append(path)
    failures = []

    def client(node_url, paths):
        for path in paths:
            try:
                decide(node_url, path, materials)
            except requests.RequestException as error:
                failures.append(str(error))

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=client_args) for client_args in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    figures["throughput"] = (len(parallel) - len(failures)) / (time.perf_counter() - started)
    figures["failed"] = len(failures)
    for failure in failures:
        log(f"failed: {failure}")
    return figures


def main():
    """Prepare, convert, measure every setup, print."""
    if not (SOURCE / "var" / "filestorage" / "Data.fs").exists():
        log("no seeded database yet: running authorization_change.py first")
        base.main()
    instance = OUT / "instance"
    new_instance(OUT, instance)
    for part in ("filestorage", "blobstorage"):
        shutil.copytree(SOURCE / "var" / part, instance / "var" / part, dirs_exist_ok=True)
    env = {**os.environ, "SOFTHSM2_CONF": str(OUT / "pki" / "softhsm" / "softhsm2.conf")}
    conf = instance / "etc" / "zope.conf"
    run(
        [BIN / "zconsole", "run", conf, ROOT / "instance/scripts/test_pki.py"],
        {**env, "PKI_DIR": str(OUT / "pki"), "APPROVERS": "approver1"},
    )
    ready = run(
        [BIN / "zconsole", "run", conf, ROOT / "tests/storage/ready_cases.py"],
        {**env, "COUNT": str(DECISIONS * len(SETUPS)), "ACCEPT": "0"},
    )
    prepared = json.loads(ready.stdout.strip().splitlines()[-1])
    cases, materials = prepared["paths"], prepared["materials"]
    log(f"{len(cases)} submitted cases ready")
    pg_base = Path(OUT / "pg")
    pg_base.mkdir()
    pg_base.chmod(0o755)
    env["ZODB_DSN"] = scaleout.postgres_start(pg_base / "data", 15433)
    results = {}
    try:
        scaleout.configure(instance, nodes=2)
        started = time.perf_counter()
        scaleout.convert(instance, env["ZODB_DSN"])
        converted = time.perf_counter() - started
        log(f"converted to RelStorage in {converted:.0f} s")
        for number, (storage, count) in enumerate(SETUPS):
            inis = (
                [instance / "etc" / "zope.ini"]
                if storage == "FileStorage"
                else [instance / "etc" / f"zope-node{n}.ini" for n in range(1, count + 1)]
            )
            nodes = Nodes(inis, env)
            try:
                share = cases[number * DECISIONS : (number + 1) * DECISIONS]
                results[(storage, count)] = measure(nodes, share, materials)
                log(f"{storage} × {count}: {results[(storage, count)]}")
            finally:
                nodes.stop()
    finally:
        scaleout.postgres_stop(pg_base / "data")
    report(results, converted)


def report(results, converted):
    """The markdown table."""
    reference = results[("FileStorage", 1)]
    print(
        "| storage | nodes | @approval-queue ms | bare @search ms | ratio | @matters ms | "
        "bare @search ms | ratio | full decision ms | Document transition ms | ratio | "
        "decisions/s (2 clients/node) | failed | vs FileStorage |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for (storage, count), f in results.items():
        print(
            f"| {storage} | {count} | {f['queue']:.1f} | {f['queue_bare']:.1f} | "
            f"{f['queue'] / f['queue_bare']:.1f}× | {f['matters']:.1f} | {f['matters_bare']:.1f} | "
            f"{f['matters'] / f['matters_bare']:.1f}× | {f['decision']:.0f} | "
            f"{f['document_transition']:.1f} | {f['decision'] / f['document_transition']:.0f}× | "
            f"{f['throughput']:.2f} | {f['failed']} | "
            f"{f['throughput'] / reference['throughput']:.2f}× |"
        )
    size = (base.INSTANCE / "var" / "filestorage" / "Data.fs").stat().st_size
    print(
        f"\nDatabase: the {int(base.COUNT):,}-application site of authorization_change.py "
        f"(Data.fs {size / 1024**2:,.0f} MiB), converted to RelStorage in {converted:.0f} s. "
        f"{ROUNDS} rounds per read (median), {DECISIONS // 2} sequential decisions (median) and "
        f"{DECISIONS - DECISIONS // 2} decisions by two clients per node per setup."
    )
    print(base.machine().replace("ZODB FileStorage, one zconsole process (no HTTP)", "waitress"))


if __name__ == "__main__":
    main()
