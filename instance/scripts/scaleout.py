"""Several Zope instances on one PostgreSQL database (RelStorage): local cluster, configs, nodes.

Used by `make start-relstorage`, the storage tests and the benchmarks (which also build their
throwaway instances with `create_instance`); plain Python, no Zope imported.

    python instance/scripts/scaleout.py postgres start|stop [--data DIR] [--port 5433]
    python instance/scripts/scaleout.py configure [--instance instance] [--nodes 2]
    python instance/scripts/scaleout.py convert [--instance instance]
    python instance/scripts/scaleout.py serve [--instance instance] [--nodes 2] [--port 8080]

The zope-nodeN.conf files read the database from the environment variable ZODB_DSN
(libpq syntax, e.g. "host=db.example port=5432 dbname=zodb user=zope password=…"); the
local cluster started here listens on 127.0.0.1 only and trusts local connections.
"""

from pathlib import Path

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request


ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DEFAULT_PORT = 5433
DATABASE = "zodb"
DB_USER = "zope"
ZODB_BLOCK = re.compile(r"<zodb_db main>.*?</zodb_db>", re.DOTALL)
# History-free: Plone does not need ZODB undo here (the audit journal is the history), and
# history-free databases stay small and pack quickly.
RELSTORAGE_BLOCK = """<zodb_db main>
  # RelStorage on PostgreSQL, shared by every node; ZODB_DSN comes from the environment.
  # Blobs live in the database; each node keeps its own blob cache.
  <relstorage>
    keep-history false
    shared-blob-dir false
    blob-dir $VAR/blobcache-{node}
    blob-cache-size 1gb
    <postgresql>
      dsn $(ZODB_DSN)
    </postgresql>
  </relstorage>
  mount-point /
  cache-size 50000
</zodb_db>"""


def local_dsn(port=DEFAULT_PORT):
    """The libpq DSN of the local development cluster."""
    return f"host=127.0.0.1 port={port} dbname={DATABASE} user={DB_USER}"


def postgres_bin(name):
    """A PostgreSQL server program from Debian's packages (highest version installed)."""
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name), reverse=True
    )
    for directory in versions:
        if (directory / name).exists():
            return str(directory / name)
    found = shutil.which(name)
    if found:
        return found
    raise SystemExit(f"{name} not found: install Debian's postgresql (make relstorage-deps).")


def as_postgres(command):
    """Run a server command; as root through the postgres account, which initdb requires."""
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    return subprocess.run(command, check=True, capture_output=True, text=True)


def postgres_start(data, port=DEFAULT_PORT):
    """Initialise the cluster in `data` if needed, start it on 127.0.0.1:`port`, create the DB."""
    data = Path(data).resolve()
    if not (data / "PG_VERSION").exists():
        data.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(data, "postgres", "postgres")
        data.chmod(0o700)
        as_postgres(
            [
                postgres_bin("initdb"),
                "-D",
                str(data),
                "-U",
                DB_USER,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
            ]
        )
    running = subprocess.run(
        [postgres_bin("pg_isready"), "-h", "127.0.0.1", "-p", str(port)], capture_output=True
    )
    if running.returncode != 0:
        options = f"-c listen_addresses=127.0.0.1 -p {port} -k {data}"
        as_postgres(
            [
                postgres_bin("pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(data / "server.log"),
                "-o",
                options,
                "-w",
                "start",
            ]
        )
    exists = subprocess.run(
        [
            postgres_bin("psql"),
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-U",
            DB_USER,
            "-d",
            "postgres",
            "-tAc",
            "SELECT 1 FROM pg_database WHERE datname = 'zodb'",  # DATABASE
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    if exists.stdout.strip() != "1":
        subprocess.run(
            [postgres_bin("createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", DB_USER, DATABASE],
            check=True,
        )
    return local_dsn(port)


def postgres_stop(data):
    """Stop the cluster in `data` (fast shutdown: open transactions are rolled back)."""
    data = Path(data).resolve()
    if (data / "postmaster.pid").exists():
        as_postgres([postgres_bin("pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"])


def create_instance(instance, admin="admin:admin"):
    """A Zope instance (FileStorage) at `instance` from instance/skel, as `make start` makes one."""
    subprocess.run(
        [BIN / "mkwsgiinstance", "-s", ROOT / "instance" / "skel", "-d", instance, "-u", admin],
        check=True,
        capture_output=True,
    )


def configure(instance, nodes=2):
    """Write etc/zope-nodeN.conf and .ini for each node from the FileStorage configuration."""
    etc = Path(instance) / "etc"
    conf = (etc / "zope.conf").read_text(encoding="utf-8")
    ini = (etc / "zope.ini").read_text(encoding="utf-8")
    written = []
    for node in range(1, nodes + 1):
        text = "%import relstorage\n" + ZODB_BLOCK.sub(
            lambda _match, node=node: RELSTORAGE_BLOCK.format(node=node), conf
        )
        (etc / f"zope-node{node}.conf").write_text(text, encoding="utf-8")
        (etc / f"zope-node{node}.ini").write_text(
            ini.replace("%(here)s/zope.conf", f"%(here)s/zope-node{node}.conf"), encoding="utf-8"
        )
        written.append(etc / f"zope-node{node}.ini")
    return written


def database_is_empty():
    """True when the RelStorage database of ZODB_DSN holds no objects yet."""
    import psycopg2

    with psycopg2.connect(os.environ["ZODB_DSN"]) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('object_state') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return True
        cursor.execute("SELECT count(*) FROM object_state")
        return cursor.fetchone()[0] == 0


def convert(instance, dsn=None):
    """Copy the FileStorage database and its blobs into the (empty) RelStorage database."""
    dsn = dsn or os.environ["ZODB_DSN"]
    var = Path(instance).resolve() / "var"
    config = var / "zodbconvert.conf"
    config.write_text(
        f"""%import relstorage
<blobstorage source>
  blob-dir {var}/blobstorage
  <filestorage>
    path {var}/filestorage/Data.fs
    read-only true
  </filestorage>
</blobstorage>
<relstorage destination>
  keep-history false
  shared-blob-dir false
  blob-dir {var}/blobcache-convert
  <postgresql>
    dsn {dsn}
  </postgresql>
</relstorage>
""",
        encoding="utf-8",
    )
    subprocess.run([BIN / "zodbconvert", str(config)], check=True)


def start_node(ini, port, host="127.0.0.1", **popen):
    """A runwsgi process serving the instance of `ini` on host:port."""
    command = [BIN / "runwsgi", str(ini), f"http_host={host}", f"http_port={port}"]
    return subprocess.Popen(command, **popen)


def wait_until_answering(url, process, timeout=120):
    """Return once the portal at `url` answers; RuntimeError if its process ends or time is up."""
    probe = urllib.request.Request(f"{url}/@matters", headers={"Accept": "application/json"})
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the node exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(probe, timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass  # not listening yet, or still starting
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer within {timeout} s")
        time.sleep(0.5)


def serve(instance, nodes=2, port=8080, host="localhost"):
    """Run the nodes on consecutive ports until interrupted; stop them all together."""
    # A service manager stops us with SIGTERM: stop the nodes as on Ctrl-C.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    processes = []
    for node in range(1, nodes + 1):
        ini = Path(instance) / "etc" / f"zope-node{node}.ini"
        processes.append(start_node(ini, port + node - 1, host))
        print(f"node {node}: http://{host}:{port + node - 1}/Plone", flush=True)  # noqa: T201
    try:
        while all(process.poll() is None for process in processes):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait()


def main(argv=None):
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    commands = parser.add_subparsers(dest="command", required=True)
    postgres = commands.add_parser("postgres")
    postgres.add_argument("action", choices=["start", "stop"])
    postgres.add_argument("--data", default=ROOT / "instance" / "var" / "postgresql")
    postgres.add_argument("--port", type=int, default=DEFAULT_PORT)
    for name in ("configure", "convert", "serve", "is-empty"):
        command = commands.add_parser(name)
        command.add_argument("--instance", default=ROOT / "instance")
        command.add_argument("--nodes", type=int, default=2)
        command.add_argument("--port", type=int, default=8080)
        command.add_argument("--host", default="localhost")
    args = parser.parse_args(argv)
    if args.command == "postgres":
        if args.action == "start":
            print(postgres_start(args.data, args.port))  # noqa: T201
        else:
            postgres_stop(args.data)
    elif args.command == "configure":
        configure(args.instance, args.nodes)
    elif args.command == "convert":
        convert(args.instance)
    elif args.command == "is-empty":
        sys.exit(0 if database_is_empty() else 1)
    else:
        serve(args.instance, args.nodes, args.port, args.host)


if __name__ == "__main__":
    main()
