"""The demo's mail sink: an SMTP server on loopback that writes each message to a .eml file.

Run with: python instance/scripts/mail_sink.py [--port 8025] [--directory instance/var/mail]
[--watch-pid PID]. Files are named by the time received and a counter and never overwritten;
the envelope sender and recipients come first, as X-MailFrom and X-RcptTo headers (Bcc
recipients appear nowhere else). With --watch-pid the sink stops when that process ends,
so the one `make start` launched goes away with the portal. A port already taken (another
sink, or a real server) is not an error: the sink says so and exits, and mail goes there.
"""

from aiosmtpd.controller import Controller
from pathlib import Path

import argparse
import errno
import itertools
import os
import signal
import sys
import threading
import time


class EmlWriter:
    """Write each message received to `directory` as <time>-<counter>.eml."""

    def __init__(self, directory):
        """Create `directory` if needed."""
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.counter = itertools.count(1)
        self.lock = threading.Lock()

    def write(self, content):
        """Store `content` under a new name; return its path."""
        stamp = time.strftime("%Y%m%dT%H%M%S")
        with self.lock:
            while True:
                path = self.directory / f"{stamp}-{next(self.counter):04d}.eml"
                try:
                    # "x": a file left by an earlier run with the same name is never replaced.
                    with path.open("xb") as file:
                        file.write(content)
                    return path
                except FileExistsError:
                    continue

    async def handle_DATA(self, server, session, envelope):
        """Store one message with its envelope."""
        newline = b"\r\n" if b"\r\n" in envelope.content[:1000] else b"\n"
        headers = [
            f"X-MailFrom: {envelope.mail_from}".encode(),
            f"X-RcptTo: {', '.join(envelope.rcpt_tos)}".encode(),
        ]
        path = self.write(newline.join([*headers, envelope.content]))
        print(f"mail sink: {path.name} to {', '.join(envelope.rcpt_tos)}", flush=True)  # noqa: T201
        return "250 Message accepted for delivery"


def alive(pid):
    """Whether the process `pid` still exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def main(argv=None):
    """Serve until interrupted, terminated or the watched process ends."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("MAIL_PORT", "8025")))
    parser.add_argument("--directory", default="instance/var/mail")
    parser.add_argument("--watch-pid", type=int, default=None)
    args = parser.parse_args(argv)
    writer = EmlWriter(args.directory)
    controller = Controller(writer, hostname=args.host, port=args.port, enable_SMTPUTF8=True)
    try:
        controller.start()
    except OSError as error:
        if error.errno != errno.EADDRINUSE:
            raise
        print(  # noqa: T201
            f"mail sink: {args.host}:{args.port} is already in use (a sink already running?); "
            "mail goes to whatever listens there.",
            flush=True,
        )
        return 0
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, lambda *_: stop.set())
    print(  # noqa: T201
        f"mail sink: smtp://{args.host}:{args.port} -> {writer.directory.resolve()}", flush=True
    )
    try:
        while not stop.wait(1):
            if args.watch_pid and not alive(args.watch_pid):
                break
    finally:
        controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
