"""Fuzz our REST services on a running portal with schemathesis and services/openapi.yaml.

Starts nothing: point it at a portal that is already running (a throwaway demo portal, as
the fuzzer posts to the signing and spot-check services with the demo user's rights).

Environment (all optional):
  FUZZ_URL           the site, default http://localhost:8080/Plone
  FUZZ_USER          demo user for basic auth, default approver1
  FUZZ_PASSWORD      their password, default the demo password zhangdian-demo
  FUZZ_MAX_EXAMPLES  test cases per operation and phase, default 25
  FUZZ_TIMEOUT       seconds allowed for each request, default 20
  FUZZ_DEADLINE      seconds allowed for the whole run, default 900
  FUZZ_SEED          makes a run reproducible
  FUZZ_REPORT_DIR    where the JUnit report goes, default instance/var/schemathesis
  FUZZ_ALL_METHODS   1 to also send the QUERY method (plone.rest answers it with a 500)
  FUZZ_UPDATE_BASELINE  1 to add this run's failures to baseline.json (then say why in it)

Exit status: schemathesis's (0 when nothing new was found), 2 when the portal is unreachable,
3 when the deadline stopped the run.
"""

from pathlib import Path
from urllib.parse import urlsplit

import os
import requests
import subprocess
import sys
import tempfile


ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = ROOT / "src/zhangdian.approval/src/zhangdian/approval/services/openapi.yaml"
# Git ignores instance/var/.
REPORT_DIR = ROOT / "instance" / "var" / "schemathesis"
# Failures accepted because they are not ours to fix (each entry says why).
BASELINE = Path(__file__).with_name("baseline.json")
# Server errors, statuses and bodies the document does not list, wrong content types.
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
)
UNEXPECTED_METHODS = ("GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS", "TRACE")


def settings():
    """The run's settings from the environment."""
    site = os.environ.get("FUZZ_URL", "http://localhost:8080/Plone").rstrip("/")
    return {
        "site": site,
        "api": f"{site}/++api++",
        "auth": (
            os.environ.get("FUZZ_USER", "approver1"),
            os.environ.get("FUZZ_PASSWORD", "zhangdian-demo"),
        ),
        "max_examples": int(os.environ.get("FUZZ_MAX_EXAMPLES", "25")),
        "timeout": float(os.environ.get("FUZZ_TIMEOUT", "20")),
        "deadline": float(os.environ.get("FUZZ_DEADLINE", "900")),
        "seed": os.environ.get("FUZZ_SEED"),
        "report_dir": os.environ.get("FUZZ_REPORT_DIR", str(REPORT_DIR)),
        "all_methods": os.environ.get("FUZZ_ALL_METHODS") == "1",
        "update_baseline": os.environ.get("FUZZ_UPDATE_BASELINE") == "1",
    }


def _path_of(url, site):
    """The path segments of an object's URL below the site."""
    return urlsplit(url).path[len(urlsplit(site).path) :].strip("/").split("/")


def path_parameters(config):
    """Real ids for the path parameters, so the fuzzer reaches our services, not a 404."""
    session = requests.Session()
    session.auth = config["auth"]
    session.headers["Accept"] = "application/json"

    def first(service, **params):
        response = session.get(f"{config['api']}/{service}", params=params, timeout=30)
        response.raise_for_status()
        items = response.json().get("items", [])
        return _path_of(items[0]["@id"], config["site"]) if items else None

    found = {}
    matter = first("@matters", b_size=1)
    if matter:
        found["category"], found["matter"] = matter[-2], matter[-1]
    application = first("@approval-queue") or first("@search", portal_type="Application")
    if application:
        found["application"] = application[-1]
    spot_check = first("@search", portal_type="SpotCheck")
    if spot_check:
        found["spot_check"] = spot_check[-1]
    return found


def config_file(parameters, config):
    """A schemathesis.toml with the path parameters and bounded generation."""
    lines = ["[generation]", f"max-examples = {config['max_examples']}", 'database = "none"']
    # number=a&number=b reaches our code as a list: worth trying on every parameter.
    lines += ["", "[phases.coverage]", "generate-duplicate-query-parameters = true"]
    if not config["all_methods"]:
        # plone.rest answers 500 to a method it does not know (QUERY), Plone's own services
        # too: a framework issue, left out unless FUZZ_ALL_METHODS=1.
        lines.append(f"unexpected-methods = {list(UNEXPECTED_METHODS)!r}".replace("'", '"'))
    lines += ["", "[parameters]"]
    lines += [f'"path.{name}" = "{value}"' for name, value in sorted(parameters.items())]
    with tempfile.NamedTemporaryFile(
        "w", suffix=".toml", prefix="fuzz-", delete=False, encoding="utf-8"
    ) as handle:
        handle.write("\n".join(lines) + "\n")
    return handle.name


def command(config, config_path):
    """The schemathesis command line."""
    user, password = config["auth"]
    args = [
        str(Path(sys.executable).with_name("schemathesis")),
        "--config-file",
        config_path,
        "run",
        str(DOCUMENT),
        "--url",
        config["api"],
        "--auth",
        f"{user}:{password}",
        "--checks",
        ",".join(CHECKS),
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        str(config["max_examples"]),
        "--request-timeout",
        str(config["timeout"]),
        "--workers",
        "1",
        "--report",
        "junit",
        "--report-dir",
        config["report_dir"],
    ]
    if BASELINE.exists():
        args += ["--baseline", str(BASELINE)]
    if config["update_baseline"]:
        args.append("--baseline-update")
    if config["seed"]:
        args += ["--seed", config["seed"]]
    return args


def main():
    """Discover ids, run schemathesis, print what it found; its exit status is ours."""
    config = settings()
    try:
        parameters = path_parameters(config)
    except requests.RequestException as error:
        print(f"The portal at {config['site']} does not answer: {error}", file=sys.stderr)  # noqa: T201
        return 2
    print(f"Fuzzing {config['api']} as {config['auth'][0]} with {DOCUMENT.name}")  # noqa: T201
    missing = {"category", "matter", "application", "spot_check"} - set(parameters)
    if missing:
        print(f"No object found for {', '.join(sorted(missing))}: those operations get 404s.")  # noqa: T201
    config_path = config_file(parameters, config)
    try:
        args = command(config, config_path)
        run = subprocess.run(args, check=False, timeout=config["deadline"])  # noqa: S603
        return run.returncode
    except subprocess.TimeoutExpired:
        print(f"Stopped after FUZZ_DEADLINE={config['deadline']:.0f} s.", file=sys.stderr)  # noqa: T201
        return 3
    finally:
        os.unlink(config_path)


if __name__ == "__main__":
    sys.exit(main())
