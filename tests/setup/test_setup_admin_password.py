"""`DEMO=0 make start` never makes up a password for the Zope root user `admin`: it refuses."""

from pathlib import Path

import os
import shutil
import subprocess
import sys


ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "instance" / "scripts"))

import scaleout  # noqa: E402


SCRIPT = Path("instance") / "scripts" / "create_site.py"


def environment(**env):
    """This process's environment without ADMIN_PASSWORD, plus `env`."""
    clean = {key: value for key, value in os.environ.items() if key != "ADMIN_PASSWORD"}
    return {**clean, **env}


def test_create_site_refuses_without_a_password(tmp_path):
    """A database without `admin` and DEMO=0 without ADMIN_PASSWORD: refused, no site made."""
    instance = tmp_path / "instance"
    # Another root user, so that the database has no `admin` as a first `make start` has not.
    scaleout.create_instance(instance, admin="keeper:keeper-secret")
    run = subprocess.run(  # noqa: S603 - our zconsole and our script
        [BIN / "zconsole", "run", instance / "etc" / "zope.conf", ROOT / SCRIPT],
        env=environment(DEMO="0", ADMIN_PASSWORD=""),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 2, run.stderr
    assert "no password for the Zope root user 'admin' was given" in run.stderr
    assert "ADMIN_PASSWORD=" in run.stderr
    assert "Created site" not in run.stdout
    script = tmp_path / "root_ids.py"
    script.write_text(
        "print(sorted(app.objectIds()), bool(app.acl_users.getUserById('admin')))\n",
        encoding="utf-8",
    )
    listing = subprocess.run(  # noqa: S603 - our zconsole and our script
        [BIN / "zconsole", "run", instance / "etc" / "zope.conf", script],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    root_ids, admin_exists = listing.stdout.strip().rsplit(" ", 1)
    assert "Plone" not in root_ids
    assert admin_exists == "False"


def make_instance(**env):
    """`make -n -B instance/etc/zope.conf`: what the instance target would run, run nothing."""
    return subprocess.run(  # noqa: S603 - make with our Makefile
        [shutil.which("make"), "-n", "-B", "instance/etc/zope.conf"],
        cwd=ROOT,
        env=environment(**env),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_make_instance_refuses_without_a_password():
    """DEMO=0 without ADMIN_PASSWORD: make stops before mkwsgiinstance, saying what to give."""
    refused = make_instance(DEMO="0")
    assert refused.returncode != 0
    assert "no password for the Zope root user 'admin' was given" in refused.stderr
    assert "mkwsgiinstance" not in refused.stdout


def test_make_instance_uses_the_password_given_or_the_demo_one():
    given = make_instance(DEMO="0", ADMIN_PASSWORD="s3cret-choice")
    assert given.returncode == 0, given.stderr
    assert "-u admin:s3cret-choice" in given.stdout
    demo = make_instance(DEMO="1")
    assert demo.returncode == 0, demo.stderr
    assert "-u admin:admin" in demo.stdout
