"""The confirmation window: the decision about to be signed, the PIN, Sign or Cancel (tkinter).

Tk must run on one thread, and on macOS on the main thread; so the HTTP threads hand their
requests to `WindowConfirmation.ask` and wait, while the main thread runs `serve`.
"""

from collections.abc import Callable
from concurrent.futures import Future

import logging
import queue
import tkinter


logger = logging.getLogger("zhangdian.signer.confirm")

# Both languages at once, as on the terminal: the signer has no translation catalogues, and
# the approver reads Chinese while the IT staff who install and test it may not.
LABELS = {
    "title": "签署确认 Signature request",
    "question": "确认签署以下审批决定？ Sign this decision?",
    "number": "办件编号 Application",
    "matter": "审批事项 Matter",
    "decision": "审批决定 Decision",
    "pin": "密钥口令 USB key PIN",
    "sign": "签署 Sign",
    "cancel": "取消 Cancel",
}


def ask(
    summary: dict,
    want_pin: bool,
    *,
    screen: str | None = None,
    on_shown: Callable[[tkinter.Tk], None] | None = None,
) -> str | None:
    """Show the window until Sign or Cancel: the PIN ("" if not asked), None when cancelled."""
    root = tkinter.Tk(screenName=screen, className="zhangdian-signer")
    answer: list[str | None] = [None]
    try:
        root.title(LABELS["title"])
        # The approver is in the browser when the request arrives: come to the front.
        root.attributes("-topmost", True)
        frame = tkinter.Frame(root, padx=16, pady=12)
        frame.pack(fill="both", expand=True)
        tkinter.Label(frame, text=LABELS["question"], name="question").grid(
            row=0, column=0, columnspan=2, sticky="w", pady=(0, 8)
        )
        for row, key in enumerate(("number", "matter", "decision"), start=1):
            tkinter.Label(frame, text=LABELS[key]).grid(row=row, column=0, sticky="w")
            tkinter.Label(frame, text=summary[key], name=key).grid(row=row, column=1, sticky="w")
        pin = None
        if want_pin:
            tkinter.Label(frame, text=LABELS["pin"]).grid(row=4, column=0, sticky="w", pady=8)
            pin = tkinter.Entry(frame, show="•", name="pin")
            pin.grid(row=4, column=1, sticky="we", pady=8)

        def sign(event=None):
            if pin is not None and not pin.get():
                pin.focus_set()
                return
            answer[0] = "" if pin is None else pin.get()
            root.quit()

        def cancel(event=None):
            root.quit()

        buttons = tkinter.Frame(frame)
        buttons.grid(row=5, column=0, columnspan=2, sticky="e", pady=(8, 0))
        tkinter.Button(buttons, text=LABELS["sign"], name="sign", command=sign).pack(
            side="left", padx=4
        )
        tkinter.Button(buttons, text=LABELS["cancel"], name="cancel", command=cancel).pack(
            side="left", padx=4
        )
        root.bind("<Return>", sign)
        root.bind("<Escape>", cancel)
        root.protocol("WM_DELETE_WINDOW", cancel)
        (pin or root).focus_force()
        if on_shown is not None:
            root.after_idle(on_shown, root)
        root.mainloop()
    finally:
        root.destroy()
    return answer[0]


class WindowConfirmation:
    """Confirmation windows shown one after the other on the thread that runs `serve`."""

    def __init__(self, screen: str | None = None):
        """Windows go to X display `screen` (default: $DISPLAY, or the desktop)."""
        self.screen = screen
        self._requests: queue.SimpleQueue = queue.SimpleQueue()

    def ask(self, summary: dict, want_pin: bool) -> str | None:
        """Wait until the approver answered the window for `summary` (see `ask` above)."""
        future: Future = Future()
        self._requests.put((summary, want_pin, future))
        return future.result()

    def serve_one(
        self, timeout: float | None = None, on_shown: Callable[[tkinter.Tk], None] | None = None
    ) -> bool:
        """Show the window of the next request, waiting up to `timeout`; whether there was one."""
        try:
            summary, want_pin, future = self._requests.get(timeout=timeout)
        except queue.Empty:
            return False
        try:
            future.set_result(ask(summary, want_pin, screen=self.screen, on_shown=on_shown))
        except Exception as error:
            logger.exception("the confirmation window failed")
            future.set_exception(error)
        return True

    def serve(self) -> None:
        """Show windows forever; the short timeout lets Ctrl-C through on Windows too."""
        while True:
            self.serve_one(timeout=0.5)
