"""traced's own lines on stderr, worded as strace words them, beside the trace.

strace says ``strace: Process 123 attached`` when it takes a running process over
and ``strace: Process 123 detached`` when it lets one go; traced says the same with
its own name, so that a user (or a script) reading either finds the same words.
"""

from __future__ import annotations

import sys
from collections.abc import Collection


def notice(text: str) -> None:
    """``traced: TEXT`` on stderr, at once: it goes between trace lines, in order."""
    sys.stderr.flush()
    print(f"traced: {text}", file=sys.stderr, flush=True)


def attached(pid: int, tids: Collection[int] = (), quiet: Collection[str] = ()) -> None:
    """``Process 123 attached``, with its thread count when it has more than one;
    nothing under -q (``quiet`` holds ``attach``)."""
    if "attach" in quiet:
        return
    threads = f" with {len(tids)} threads" if len(tids) > 1 else ""
    notice(f"Process {pid} attached{threads}")


def detached(tids: Collection[int], quiet: Collection[str] = ()) -> None:
    """``Process 123 detached`` for each, as attached's; nothing under -q."""
    if "attach" in quiet:
        return
    for tid in sorted(tids):
        notice(f"Process {tid} detached")


def filter_warning(pid: int, choice: str, through_daemon: bool) -> str:
    """What ``traced attach --filter`` does to a process, said before it is done."""
    if not through_daemon:
        leaving = "When traced exits, however it exits (even SIGKILLed), the process is killed."
    elif choice == "keep":
        leaving = (
            "When traced exits (Ctrl-C, or its terminal closing), the daemon keeps tracing "
            "it, stopping it only for the traced syscalls (`traced ps` lists the session, "
            "`traced kill SESSION` ends it); if the daemon stops or dies, it is killed."
        )
    else:
        leaving = "When traced exits, or the daemon stops or dies, the process is killed."
    return (
        f"--filter puts traced's seccomp filter into process {pid} for the rest of its "
        f"life: it can never be detached, since without its tracer its traced syscalls "
        f"would fail with ENOSYS. {leaving} Unless it has CAP_SYS_ADMIN, it is also set "
        f"no_new_privs for good (a set-user-ID program it executes gains no privileges)."
    )


def confirm_filter(pid: int, choice: str, through_daemon: bool, ask: bool) -> bool:
    """The warning, on stderr; on a terminal (and ``ask``), the user's yes or no."""
    notice(filter_warning(pid, choice, through_daemon))
    if not ask or not sys.stdin.isatty():
        return True
    print("traced: install it? [y/N] ", end="", file=sys.stderr, flush=True)
    answer = sys.stdin.readline().strip().lower()
    return answer in ("y", "yes")


def filter_outcome(pid: int, installed: bool, reason: str | None) -> None:
    """How ``traced attach --filter`` went."""
    if installed:
        notice(
            f"Process {pid}: seccomp filter installed; only the traced syscalls stop it "
            "now, and it can never be detached"
        )
    else:
        notice(f"Process {pid}: seccomp filter not installed ({reason}); every syscall stops it")
