"""Run every benchmark and print its table (`make bench`); never part of `make test`."""

from pathlib import Path

import runpy
import sys


HERE = Path(__file__).parent
BENCHMARKS = [
    "matter_list.py",
    "authorization_change.py",
    "decision_signing.py",
    "audit_chain.py",
    "scaleout.py",
]


def main():
    """Run the benchmarks named on the command line, or all of them."""
    for name in sys.argv[1:] or BENCHMARKS:
        print(f"\n## {name}\n", flush=True)
        runpy.run_path(str(HERE / name), run_name="__main__")


if __name__ == "__main__":
    main()
