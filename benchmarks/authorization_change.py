"""Time changing one approver authorisation while the portal holds N open applications.

Builds a throwaway instance under benchmarks/out/, creates the demo site, seeds N
(default 10,000) applications through `register_application` (seed_applications.py), then
times suspend, reinstate, a scope change and the expiry job against a bare workflow
transition and a naive reindex of every application (measure_authorization_change.py).
No HTTP server: both scripts run in zconsole. Prints a table; asserts nothing about speed.
"""

from importlib.metadata import version
from instances import new_demo_site
from pathlib import Path

import os
import platform
import subprocess
import sys
import time


ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
COUNT = os.environ.get("N", "10000")
# One seeded database per size, kept for scaleout.py.
OUT = ROOT / "benchmarks" / "out" / f"applications-{COUNT}"
INSTANCE = OUT / "instance"
SEED = ROOT / "benchmarks" / "seed_applications.py"
MEASURE = ROOT / "benchmarks" / "measure_authorization_change.py"
PROGRESS = "[bench] "


def zconsole(script, stdout=subprocess.DEVNULL, **env):
    """Run a script inside the benchmark instance; pass its `[bench]` lines to stderr."""
    process = subprocess.Popen(
        [BIN / "zconsole", "run", INSTANCE / "etc" / "zope.conf", script],
        env={**os.environ, **env},
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
    )
    tail = []
    for line in process.stderr:
        if line.startswith(PROGRESS):
            print(line[len(PROGRESS) :], end="", file=sys.stderr, flush=True)
        else:
            tail = [*tail[-39:], line]
    output = process.stdout.read() if process.stdout else None
    if process.wait():
        sys.stderr.writelines(tail)
        raise subprocess.CalledProcessError(process.returncode, script)
    return output


def machine():
    """One line describing where the figures come from."""
    memory = "?"
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(meminfo.read_text().split("\n")[0].split()[1])
        memory = f"{kib / 1024**2:.0f} GiB"
    system = platform.system()
    os_release = Path("/etc/os-release")
    if os_release.exists():
        fields = dict(
            line.split("=", 1) for line in os_release.read_text().splitlines() if "=" in line
        )
        system = fields.get("PRETTY_NAME", system).strip('"')
    return (
        f"Machine: {os.cpu_count()} cores, {memory}, {system}, Python "
        f"{platform.python_version()}, Plone {version('Products.CMFPlone')}, ZODB FileStorage, "
        "one zconsole process (no HTTP)."
    )


def main():
    """Build, seed, measure, print."""
    started = time.perf_counter()
    count = COUNT
    new_demo_site(OUT, INSTANCE, zconsole)
    print(f"demo site created ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    seeded = zconsole(SEED, stdout=subprocess.PIPE, N=count)
    seed = dict(field.split("=") for field in seeded.strip().splitlines()[-1].split())
    sys.stdout.flush()
    zconsole(MEASURE, stdout=None)
    size = (INSTANCE / "var" / "filestorage" / "Data.fs").stat().st_size
    print(
        f"\nSeeding: {int(count):,} applications over {seed['seed_matters']} matters in "
        f"{float(seed['seed_seconds']):,.0f} s = {seed['seed_rate']} applications/s "
        f"(first batch of {min(int(seed['seed_batch']), int(count))}: "
        f"{seed['seed_rate_first_batch']}/s; commits every {seed['seed_batch']} took "
        f"{float(seed['seed_commit_seconds']):,.0f} s in all), "
        f"Data.fs {size / 1024**2:,.0f} MiB. "
        f"Whole benchmark: {(time.perf_counter() - started) / 60:.1f} min."
    )
    print(machine())


if __name__ == "__main__":
    main()
