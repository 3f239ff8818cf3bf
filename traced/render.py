"""Events as text: strace-like lines, or JSON Lines.  Pure string building.

Only syscall, signal and exit events have a line, as in strace: spawn and exec
are visible through the syscalls that caused them.
"""

from __future__ import annotations

import os
from typing import TextIO

from traced.events import ExitEvent, SignalEvent, SpawnEvent, SyscallEvent
from traced.filters import Filter
from traced.names import RESTART_ERRNOS, errno_value
from traced.tracee import Event

_RESTART_TEXT = {
    "ERESTARTSYS": "To be restarted if SA_RESTART is set",
    "ERESTARTNOINTR": "To be restarted",
    "ERESTARTNOHAND": "To be restarted if no handler",
    "ERESTART_RESTARTBLOCK": "Interrupted by signal",
}
_RESTART_NAMES = frozenset(_RESTART_TEXT)
_ESCAPES = {ord('"'): '\\"', ord("\\"): "\\\\", ord("\n"): "\\n", ord("\t"): "\\t"}
assert len(RESTART_ERRNOS) == len(_RESTART_NAMES)


def quote(text: str) -> str:
    """A C-style string literal, as strace prints one."""
    escaped = text.translate(_ESCAPES)
    if escaped.isprintable():
        return f'"{escaped}"'
    return '"' + "".join(ch if ch.isprintable() else f"\\{ord(ch):o}" for ch in escaped) + '"'


def format_arg(value: object) -> str:
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(format_arg(item) for item in value) + "]"
    if isinstance(value, int) and value > 0xFFFF:
        return hex(value)
    return str(value)


def _result(event: SyscallEvent) -> str:
    if event.retval is None:
        return "?"
    if event.error in _RESTART_NAMES:
        return f"? {event.error} ({_RESTART_TEXT[event.error]})"
    if event.error is not None:
        return f"-1 {event.error} ({os.strerror(errno_value(event.error))})"
    return format_arg(event.retval) if event.retval >= 0 else str(event.retval)


def syscall_line(event: SyscallEvent) -> str:
    args = ", ".join(format_arg(arg) for arg in event.args)
    return f"{event.name}({args}) = {_result(event)}"


def signal_line(event: SignalEvent) -> str:
    info = f"si_signo={event.signal}, si_code={event.code}"
    if event.sender_pid:
        info += f", si_pid={event.sender_pid}, si_uid={event.sender_uid}"
    return f"--- {event.signal} {{{info}}} ---"


def exit_line(event: ExitEvent) -> str:
    if event.signal is None:
        return f"+++ exited with {event.code} +++"
    core = " (core dumped)" if event.core_dumped else ""
    return f"+++ killed by {event.signal}{core} +++"


def text_line(event: Event, with_pid: bool) -> str | None:
    """The strace-like line for an event, or None for events strace does not print."""
    if isinstance(event, SyscallEvent):
        line = syscall_line(event)
    elif isinstance(event, SignalEvent):
        line = signal_line(event)
    elif isinstance(event, ExitEvent):
        line = exit_line(event)
    else:
        return None
    return f"[pid {event.tid:>5}] {line}" if with_pid else line


class Printer:
    """The CLI's sink: one line per event, strace-like text or JSON Lines.

    To a file every line starts with the tid, as ``strace -f -o FILE`` does; to a
    terminal a ``[pid N]`` prefix appears while more than one task is alive.
    """

    def __init__(self, out: TextIO, as_json: bool, to_file: bool) -> None:
        self.out = out
        self.as_json = as_json
        self.to_file = to_file
        self.live: set[int] = set()  # tids seen and not yet exited
        self.broken = False
        self.filter = Filter()  # what the seccomp set alone does not decide

    def wants(self, event: Event) -> bool:
        if isinstance(event, SyscallEvent):
            paths = [arg for arg in event.args if isinstance(arg, str)]
            return self.filter.wants_syscall(event.name, event.error, event.finished, paths)
        if isinstance(event, SignalEvent):
            return self.filter.wants_signal(event.signo)
        return True

    def __call__(self, event: Event) -> None:
        if self.broken or not self.wants(event):
            return
        try:
            self._write(event)
        except BrokenPipeError:
            # Like a reader that went away: keep tracing, stop writing.
            self.broken = True

    def _write(self, event: Event) -> None:
        self.live.add(event.tid)
        if isinstance(event, SpawnEvent):
            self.live.add(event.parent_tid)
        if self.as_json:
            self.out.write(event.model_dump_json() + "\n")
            return
        line = text_line(event, with_pid=False)
        if line is None:
            return
        if self.to_file:
            line = f"{event.tid:<5} {line}"
        elif len(self.live) > 1:
            line = f"[pid {event.tid:>5}] {line}"
        if isinstance(event, ExitEvent):
            self.live.discard(event.tid)
        self.out.write(line + "\n")
