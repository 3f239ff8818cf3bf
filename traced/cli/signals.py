"""What a signal sent to traced does while it traces: one table, one mechanism.

traced stands between a user and the command it traces, so the signals a user
sends it (from the terminal's keys, ``kill`` or a service manager) are meant for
the command.  For both modes, in-process and through the daemon:

==========  ==================  ====================  =================
signal      launch, in-process  launch, daemon        attach (either)
==========  ==================  ====================  =================
SIGINT      held                passed on             detach
SIGTERM     passed on           passed on             detach
SIGHUP      passed on           passed on             detach
SIGQUIT     passed on           passed on             (default: ends)
SIGWINCH    (default: ignored)  passed on (*)         (default: ignored)
==========  ==================  ====================  =================

(*) Not with a terminal of its own (cli/terminal.py): that pty's new size is set,
and the kernel sends SIGWINCH to its foreground group itself.

Kernel facts relied on: the terminal sends SIGINT (Ctrl-C), SIGQUIT (Ctrl-\\)
and SIGWINCH to every process of its foreground process group.  A command
launched in-process stays in traced's process group, so Ctrl-C and a window
change already reach it: traced holds SIGINT (so that it outlives the command
and reports its end) and leaves SIGWINCH alone.  SIGQUIT is passed on all the
same, so that ``kill -QUIT`` of traced reaches the command.  A command the
daemon launched is in a session of its own (setsid), which no terminal signal
reaches but those passed on; the daemon sends them to the command's whole
process group, as a terminal would, where in-process traced sends them to the
command's first process.  A traced process that is attached to is not ours
to signal: the ending signals let it go, untraced, and it runs on.

Before the table applies: traced blocks ``EARLY`` (the signals it acts on, but
SIGWINCH, ignored by default anyway) as the first thing it does, in
traced/__main__.py, before its imports.  A signal sent while traced starts
stays pending in the kernel (blocking is per thread, and only the main thread
exists then; the mask is inherited across fork and exec, so the spawned child
clears its own).  Before it launches or attaches, traced looks at what is
pending (``arrived_early``) and ends with 128+N rather than take anything over;
one that arrives later is delivered the moment ``forwarding`` unblocks it, to
the handler of the table.  Commands that do not trace (the daemon, ps, kill,
detach, subscribe) ``let_through`` at once and get the default dispositions.
What comes before traced's first line is the interpreter's own start (site,
runpy; some 10 ms): a SIGINT then is Python's, whose KeyboardInterrupt ends the
process, except when importlib raises it inside a callback that ignores
exceptions ("Exception ignored in ... _get_module_lock"): that one no code of
traced can see.
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from types import FrameType
from typing import Any, Protocol

Action = Callable[[int], object]  # called with the signal's number


class Scheduler(Protocol):
    """Where a signal's action is run from: an asyncio loop, or the CLI's blocking
    driver (traced/tracer/blocking.py), both later, between two stops."""

    def call_soon_threadsafe(self, callback: Action, signo: int, /) -> object: ...


_Handler = Callable[[int, FrameType | None], Any] | int | None

PASSED_ON = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGWINCH)
REACH_A_LOCAL_COMMAND = frozenset((signal.SIGINT, signal.SIGWINCH))  # from the terminal itself
DETACHING = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
EARLY = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)  # as __main__ blocks


def hold_early() -> None:
    """Block ``EARLY`` (traced/__main__.py does it before its imports; ``main`` again,
    for a caller that did not come through it)."""
    signal.pthread_sigmask(signal.SIG_BLOCK, EARLY)


def let_through() -> None:
    """Unblock ``EARLY``: one pending is delivered now, to the handler in place."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, EARLY)


def arrived_early() -> int | None:
    """A signal of ``EARLY`` sent since traced began and still pending, if any."""
    pending = signal.sigpending()
    return next((int(sig) for sig in EARLY if sig in pending), None)


def launch_actions(
    pass_on: Action, *, in_process: bool, own_terminal: bool = False
) -> dict[int, Action]:
    """What each signal does while a launched command runs: the table's first two
    columns.  A command with a terminal of its own (cli/terminal.py) gets a window
    change as its pty's new size, which the kernel signals itself: not passed on."""
    if not in_process:
        passed = [sig for sig in PASSED_ON if not (own_terminal and sig == signal.SIGWINCH)]
        return dict.fromkeys(passed, pass_on)
    actions: dict[int, Action] = {
        sig: pass_on for sig in PASSED_ON if sig not in REACH_A_LOCAL_COMMAND
    }
    actions[signal.SIGINT] = _hold
    return actions


class Detach:
    """An attach's ending signal: the first lets the process go (``let_go``), and
    traced then exits as strace does, 128 + that signal (130 after Ctrl-C)."""

    def __init__(self, let_go: Callable[[], object]) -> None:
        self.let_go = let_go
        self.asked: list[int] = []

    def __call__(self, signo: int) -> None:
        if not self.asked:
            self.let_go()
        self.asked.append(signo)

    def status(self) -> int:
        return 128 + self.asked[0] if self.asked else 0


def attach_actions(detach: Callable[[int], object]) -> dict[int, Action]:
    """What each signal does while an attached process is traced: the table's last
    column.  ``detach`` is given the signal, whose status traced then exits with."""
    return dict.fromkeys(DETACHING, detach)


def _hold(signo: int) -> None:
    """Neither passed on nor acted upon: traced goes on until the command ends."""


@contextmanager
def forwarding(
    actions: Mapping[int, Action], loop: Scheduler | None = None, *, restart: bool = True
) -> Iterator[None]:
    """While inside, each signal in ``actions`` runs its action instead of acting here.

    With a ``loop`` (in-process tracing) the action runs as a callback of the loop,
    never in the midst of the tracer's own code, and interrupted syscalls restart
    (SA_RESTART), as with ``loop.add_signal_handler``, unless ``restart`` is False
    (the blocking driver, whose sleep in waitid the signal must end).  Without one
    (a blocking client) the action runs at once: the blocking read it interrupts
    fails with EINTR, Python runs the handler, then retries the read (PEP 475)."""

    def handler(signo: int, frame: FrameType | None) -> None:
        if loop is None:
            actions[signo](signo)
        else:
            loop.call_soon_threadsafe(actions[signo], signo)

    previous: dict[int, _Handler] = {}
    try:
        for sig in actions:
            previous[sig] = signal.signal(sig, handler)
            if loop is not None and restart:
                signal.siginterrupt(sig, False)
        let_through()  # one held since traced began is acted on now
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
