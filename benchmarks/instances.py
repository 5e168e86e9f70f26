"""Throwaway Zope instances for the benchmarks, built like `make start` builds the real one."""

from pathlib import Path

import shutil
import sys


ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "instance" / "scripts"))

import scaleout  # noqa: E402


def new_instance(out, instance):
    """Empty `out` and create a Zope instance (FileStorage) at `instance` inside it."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    scaleout.create_instance(instance)


def new_demo_site(out, instance, zconsole):
    """A new instance holding the demo site; `zconsole(script, **env)` runs scripts in it."""
    new_instance(out, instance)
    zconsole(ROOT / "instance" / "scripts" / "create_site.py", DEMO="1")
