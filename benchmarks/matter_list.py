"""Server time of the public matter list page and @matters: demo list, then 2,000 matters.

Builds a throwaway instance under benchmarks/out/, creates the demo site, serves it with
runwsgi on a loopback port, times GET requests, seeds matters up to 2,000 through the
importer, and times again. Prints a table; asserts nothing about speed.
"""

from instances import new_demo_site
from pathlib import Path

import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request


ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
OUT = ROOT / "benchmarks" / "out" / "matter_list"
INSTANCE = OUT / "instance"
SEED = ROOT / "benchmarks" / "seed_matters.py"
ROUNDS = 30
TARGET = 2000


def free_port():
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def zconsole(script, **env):
    """Run a script inside the benchmark instance."""
    subprocess.run(
        [BIN / "zconsole", "run", INSTANCE / "etc" / "zope.conf", script],
        check=True,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def serve(port):
    """Start runwsgi and wait until the site answers."""
    process = subprocess.Popen(
        [
            BIN / "runwsgi",
            INSTANCE / "etc" / "zope.ini",
            "http_host=127.0.0.1",
            f"http_port={port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/Plone/matters", timeout=5).read()
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the benchmark instance did not start")


def timed(url):
    """Median and 90th percentile (ms) of ROUNDS GETs after a warm-up."""
    for _ in range(3):
        urllib.request.urlopen(url, timeout=60).read()
    samples = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        body = urllib.request.urlopen(url, timeout=60).read()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.9) - 1], len(body)


def first_matter_url(base):
    """The page of the first published matter, as @matters lists it."""
    request = urllib.request.Request(f"{base}/++api++/@matters?b_size=1")
    request.add_header("Accept", "application/json")
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)["items"][0]["@id"]


def measure(port, label, rows):
    """Time the pages and endpoints for one size of list."""
    base = f"http://127.0.0.1:{port}/Plone"
    urls = {
        "matter list page (all categories)": f"{base}/matters",
        "matter list page, search 许可": f"{base}/matters?q=%E8%AE%B8%E5%8F%AF",
        "@matters (first batch of 25)": f"{base}/++api++/@matters",
        "@matters, b_size=2000": f"{base}/++api++/@matters?b_size=2000",
        "matter page with flowchart": first_matter_url(base),
    }
    for name, url in urls.items():
        median, p90, size = timed(url)
        rows.append((label, name, median, p90, size))


def main():
    """Build, serve, measure, seed, measure again, print."""
    new_demo_site(OUT, INSTANCE, zconsole)
    rows = []
    port = free_port()
    server = serve(port)
    try:
        measure(port, "demo list", rows)
    finally:
        server.terminate()
        server.wait()
    zconsole(SEED, SEED_TARGET=str(TARGET))
    server = serve(port)
    try:
        measure(port, f"{TARGET} matters", rows)
    finally:
        server.terminate()
        server.wait()
    print(f"{'list':<14} {'request':<36} {'median ms':>10} {'p90 ms':>8} {'bytes':>9}")
    for label, name, median, p90, size in rows:
        print(f"{label:<14} {name:<36} {median:>10.1f} {p90:>8.1f} {size:>9}")
    half = len(rows) // 2
    print("\nratio 2000 / demo (median):")
    for before, after in zip(rows[:half], rows[half:], strict=True):
        print(f"  {before[1]:<36} {after[2] / before[2]:.2f}×")


if __name__ == "__main__":
    main()
