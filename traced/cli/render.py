"""Events as strace's text, a line at a time: functions from an event to its words,
with no I/O.  Timing alone keeps state (-r counts from the line before) and
reads the local time zone (-t).

Syscall, signal, group-stop and exit events have a line, as in strace: spawn and
exec are visible through the syscalls that caused them, but for an exec from a
non-leader thread, which supersedes the leader (``+++ superseded by execve in
pid N +++``).  What writes the lines (the
interleaving of calls, -ff files, the -c table, JSON Lines) is printer.py.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from traced.decoders.arguments import cut_inside, first_output, has_outputs
from traced.decoders.families.siginfo import clock_ticks, si_code
from traced.decoders.families.signals import CLD_CODES, SENDER_CODES, SI_CODES
from traced.decoders.pidnames import with_comm
from traced.decoders.shapes import RETURNS_FD
from traced.decoders.strings import fd_path_text
from traced.decoders.values import as_signed, hex_address
from traced.decoders.xlat import named
from traced.events import (
    Arg,
    ExecEvent,
    ExitEvent,
    Frame,
    GroupStopEvent,
    SignalEvent,
    Stack,
    SyscallEntryEvent,
    SyscallEvent,
    bytes_of,
    shown,
)
from traced.syscalls.arch import AUDIT_ARCH_NAMES, syscall_name
from traced.syscalls.names import (
    RESTART_ERRNOS,
    SIGNAL_NAMES,
    errno_message,
    errno_name,
    errno_value,
    signal_name,
)
from traced.syscalls.signatures import HIDDEN_TYPES as _HIDDEN_TYPES

_RETURNS_ADDRESS = frozenset(("mmap", "mmap2", "brk", "mremap", "shmat"))
_ULONG = 1 << 64
# strace's order where it is not the registers' (x86_64 clone: flags come first).
_PRINT_ORDER = {"clone": ("stack", "flags", "parent_tid", "tls", "child_tid")}


def _shown(name: str, args: Sequence[Arg]) -> list[tuple[int, str]]:
    """(register position, text) of the arguments strace shows, in its order."""
    order = _PRINT_ORDER.get(name, ())
    indexed = list(enumerate(args))
    if order:
        indexed.sort(key=lambda item: order.index(item[1].name) if item[1].name in order else 9)
    return [(i, arg.text) for i, arg in indexed if arg.text and arg.type not in _HIDDEN_TYPES]


def printed_args(event: SyscallEvent | SyscallEntryEvent) -> list[str]:
    """The arguments strace shows, in its words; an empty text is one it leaves out."""
    if event.name not in _PRINT_ORDER:  # nearly every call: the registers' order
        return [arg.text for arg in event.args if arg.text and arg.type not in _HIDDEN_TYPES]
    return [text for _, text in _shown(event.name, event.args)]


def _result(event: SyscallEvent) -> str:
    if event.retval is None:
        return "?"
    if event.error is not None:
        number = errno_value(event.error)
        # A restarted call has no result yet: strace shows ``?``, not -1.  An error
        # the kernel clipped into a value shows that value (names.clipped_errno).
        result = "?" if number in RESTART_ERRNOS else str(event.retval)
        return f"{result} {event.error} ({errno_message(number)})"
    if event.name in _RETURNS_ADDRESS:
        return hex(event.retval)
    if event.retval_text is not None:
        return event.retval_text
    if event.fd_path is not None:
        return f"{event.retval}<{fd_path_text(bytes_of(event.fd_path))}>"
    if event.retval < 0 and event.name not in RETURNS_FD:  # only a retval= makes one
        return str(event.retval % _ULONG)  # strace's default format is unsigned
    return str(event.retval)


RESULT_COLUMN = 40  # strace's -a default: results line up here


def _split_at_outputs(event: SyscallEvent | SyscallEntryEvent) -> tuple[list[str], list[str]]:
    """The texts strace prints at entry, and those it prints when the call returns."""
    first = first_output(event.name, event.arch)
    shown = _shown(event.name, event.args)
    return [text for i, text in shown if i < first], [text for i, text in shown if i >= first]


def entry_text(event: SyscallEntryEvent | SyscallEvent) -> str:
    """``read(3, `` or ``close(3``: what strace writes when a syscall is entered."""
    cut = cut_inside(event.name, event.args, event.arch)
    if cut is not None:  # ``clone3({...}``: up to the struct, without what exit adds
        before = [text for i, text in _shown(event.name, event.args) if i < cut]
        return f"{event.name}(" + ", ".join([*before, _as_entered(event.args[cut].text)])
    before, after = _split_at_outputs(event)
    return f"{event.name}(" + ", ".join(before) + (", " if before and after else "")


def resumed_line(event: SyscallEvent, prefix: str = "") -> str:
    """``<... wait4 resumed>[{WIFEXITED(s) ...}], 0, NULL) = 42``."""
    if event.detached:
        return f"{prefix}<... {event.name} resumed>{DETACHED}"
    if event.retval is None and _killed_before_its_outputs(event):
        return _aligned(f"{prefix}<... {event.name} resumed>{UNFINISHED})", event)
    cut = cut_inside(event.name, event.args, event.arch)
    if cut is not None:  # ``<... clone3 resumed> => {parent_tid=[42]}, 88)``
        text = event.args[cut].text
        rest = "".join(", " + text for i, text in _shown(event.name, event.args) if i > cut)
        added = text[len(_as_entered(text)) :]
        return _aligned(f"{prefix}<... {event.name} resumed>{added}{rest})", event)
    _, after = _split_at_outputs(event)
    return _aligned(f"{prefix}<... {event.name} resumed>{', '.join(after)})", event)


_CHANGED = " => "  # strace's mark before what a call wrote into an argument it read


def _as_entered(text: str) -> str:
    """An in-and-out argument's text as printed at entry: before `` => ``."""
    at = text.find(_CHANGED)
    return text if at < 0 else text[:at]


def _aligned(call: str, event: SyscallEvent) -> str:
    result = _result(event)
    if event.injected or event.delayed or event.poked:
        result += _tampered(event)
    if len(call) < RESULT_COLUMN:
        return f"{call.ljust(RESULT_COLUMN)}= {result}"
    return f"{call} = {result}"


_INJECTED = {  # (result replaced, memory poked): strace's note
    (True, False): " (INJECTED)",
    (False, True): " (INJECTED: args)",
    (True, True): " (INJECTED: args, retval)",
}


def _tampered(event: SyscallEvent) -> str:
    """strace's notes for -e inject= (retval=, error=, poke_*=) and its delays."""
    note = _INJECTED.get((event.injected, event.poked), "")
    return note + (" (DELAYED)" if event.delayed else "")


def syscall_line(event: SyscallEvent, prefix: str = "") -> str:
    """``prefix`` (pid) included, since strace counts it when it lines results up.
    A call we let go while it blocked ends where its entry did: ``wait4(-1,  <detached
    ...>``, as strace writes it (the rest was never ours to see)."""
    if event.detached:
        return f"{prefix}{entry_text(event)}{DETACHED}"
    if event.retval is None and _killed_before_its_outputs(event):  # asked of every line
        return _aligned(f"{prefix}{entry_text(event)}{UNFINISHED})", event)
    return _aligned(f"{prefix}{event.name}({', '.join(printed_args(event))})", event)


DETACHED = " <detached ...>"
UNFINISHED = " <unfinished ...>"


def _killed_before_its_outputs(event: SyscallEvent) -> bool:
    """A call that never returned (its task was killed in it, or an exec of another
    thread destroyed it) and that strace would have finished printing at its exit:
    strace ends it where its entry did, ``read(3,  <unfinished ...>) = ?``, as its
    outputs were never written.  ``exit_group(0) = ?`` has none."""
    return event.retval is None and has_outputs(event.name, event.arch)


def entry_line(event: SyscallEntryEvent, prefix: str = "") -> str:
    """Entry-only tracing: the call as it was asked for, outputs as their addresses,
    and no result (it was never waited for): ``openat(AT_FDCWD, "/etc/hosts", O_RDONLY)``."""
    return f"{prefix}{event.name}({', '.join(printed_args(event))})"


def signal_line(event: SignalEvent) -> str:
    """``--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=..} ---``, as strace;
    its constants in the -X style of the printer's (``si_signo=17, si_code=0x1``)."""
    signo = named(_SIGNAL_NUMBERS.get(event.signal, 0), event.signal, decimal=True)
    if event.child_status is not None:
        code = _code(event.code, CLD_CODES.get(event.code))
        status = event.child_status
        status_text = named(status, signal_name(status), decimal=True)
        info = (
            f"si_signo={signo}, si_code={code}, si_pid={_sender(event)}, "
            f"si_uid={event.sender_uid}, si_status={status_text if event.code != 1 else status}, "
            f"si_utime={clock_ticks(event.child_utime or 0)}, "
            f"si_stime={clock_ticks(event.child_stime or 0)}"
        )
    elif event.syscall is not None:
        info = f"si_signo={signo}, si_code={_code(event.code, _SYS_CODES.get(event.code))}"
        info += _si_errno(event) + _sigsys_fields(event)
    elif event.addr is not None:  # a fault: its code by the signal, and the address
        info = f"si_signo={signo}, si_code={si_code(event.code, event.signo)}"
        info += _si_errno(event) + f", si_addr={hex_address(event.addr)}"
    else:
        info = f"si_signo={signo}, si_code={_code(event.code, SI_CODES.get(event.code))}"
        info += _si_errno(event)
        if event.code in SENDER_CODES:
            info += f", si_pid={_sender(event)}, si_uid={event.sender_uid}"
        if event.value is not None:
            info += f", si_int={as_signed(event.value, 32)}, si_ptr={event.value:#x}"
    return f"--- {event.signal} {{{info}}} ---"


_SIGNAL_NUMBERS = {name: number for number, name in SIGNAL_NAMES.items()}


def _sender(event: SignalEvent) -> str:
    """si_pid; under -Y with the sender's comm as it was at the stop (``1234<sh>``)."""
    comm = event.sender_comm
    return with_comm(event.sender_pid, bytes_of(comm) if comm else None)


def _code(code: int, name: str | None) -> str:
    """si_code: its name; unnamed, the number in decimal (raw style: hex, as strace)."""
    return str(code) if name is None else named(code, name)


_SYS_CODES = {1: "SYS_SECCOMP", 2: "SYS_USER_DISPATCH"}  # si_code of a SIGSYS


def _si_errno(event: SignalEvent) -> str:
    return "" if not event.errno else f", si_errno={errno_name(event.errno)}"


def _sigsys_fields(event: SignalEvent) -> str:
    """A seccomp SIGSYS's syscall: ``si_call_addr=0x..., si_syscall=__NR_getppid, ...``."""
    nr, arch = event.syscall or 0, event.audit_arch or 0
    name = syscall_name(arch, nr)
    return (
        f", si_call_addr={event.call_addr or 0:#x}"
        f", si_syscall={f'__NR_{name}' if name else nr}"
        f", si_arch={AUDIT_ARCH_NAMES.get(arch, f'{arch:#x}')}"
    )


def stopped_line(event: GroupStopEvent) -> str:
    return f"--- stopped by {event.signal} ---"


def superseded_line(event: ExecEvent) -> str:
    """For the leader a non-leader thread's execve replaced (``event.tid``)."""
    return f"+++ superseded by execve in pid {event.old_tid} +++"


def exit_line(event: ExitEvent) -> str:
    if event.signal is None:
        return f"+++ exited with {event.code} +++"
    core = " (core dumped)" if event.core_dumped else ""
    return f"+++ killed by {event.signal}{core} +++"


# The events strace writes a line for: spawn and exec show through their syscalls
# (an exec that supersedes a leader has a line too: see printer.py).
HAS_LINE = (SyscallEvent, SignalEvent, ExitEvent, GroupStopEvent)
Lined = SyscallEvent | SignalEvent | ExitEvent | GroupStopEvent


def event_line(event: Lined, prefix: str) -> str:
    """The strace-like line for an event."""
    if isinstance(event, SyscallEvent):
        return syscall_line(event, prefix)
    if isinstance(event, SignalEvent):
        return prefix + signal_line(event)
    if isinstance(event, GroupStopEvent):
        return prefix + stopped_line(event)
    return prefix + exit_line(event)


class Timing:
    """strace's -t/-tt/-ttt (``absolute`` 1-3), -r (``relative``) and -T (``durations``).

    A plain class, not a dataclass: ~0.5 ms less for every launch to start."""

    __slots__ = ("_previous_ns", "absolute", "durations", "relative")

    def __init__(self, absolute: int = 0, relative: bool = False, durations: bool = False) -> None:
        self.absolute = absolute
        self.relative = relative
        self.durations = durations
        self._previous_ns = 0

    def stamp(self, ts_ns: int) -> str:
        if self.relative:
            delta = ts_ns - self._previous_ns if self._previous_ns else 0
            self._previous_ns = ts_ns
            since = f"{delta // 1_000_000_000:>6}.{delta % 1_000_000_000 // 1000:06d}"
            if self.absolute:  # strace -t -r: ``19:16:00 (+     0.000332) ``
                return f"{self._clock(ts_ns)}(+{since}) "
            return f"{since} "
        if self.absolute == 0:
            return ""
        return self._clock(ts_ns)

    def _clock(self, ts_ns: int) -> str:
        """-t, -tt or -ttt's words for ``ts_ns``, a space after them."""
        seconds, micros = divmod(ts_ns // 1000, 1_000_000)
        if self.absolute >= 3:
            return f"{seconds}.{micros:06d} "
        clock = time.strftime("%H:%M:%S", time.localtime(seconds))
        return f"{clock}.{micros:06d} " if self.absolute == 2 else f"{clock} "


def duration_suffix(duration_ns: int | None) -> str:
    """-T: the time spent in the syscall, or ``<unfinished ...>`` style ``<?>``."""
    if duration_ns is None:
        return ""
    seconds, micros = divmod(duration_ns // 1000, 1_000_000)
    return f" <{seconds}.{micros:06d}>"


def stack_text(stack: Stack) -> str:
    """-k: strace's lines for a stack, each after a newline, as ``_dumps``'s:
    `` > /lib/libc.so.6(__write+0x10) [0xf8350]`` (the frame's file, its function and
    the offset into it, the offset in the file), `` > /usr/bin/echo() [0x60c4]``
    where the file names no function there.  strace words a stack walked at a call's
    entry (execve, exit_group ...) through its queue, which prints no function as an
    empty name: `` > /usr/bin/dash(+0x0) [0x79a0]``; C++ names demangled."""
    queued = stack.at == "entry"
    return "".join("\n" + _frame_line(frame, queued) for frame in stack.frames)


def _frame_line(frame: Frame, queued: bool) -> str:
    if frame.error is not None:
        return f" > {frame.error} [{frame.ip:#x}]" if frame.ip else f" > {frame.error}"
    module = "" if frame.module is None else shown(frame.module)
    if frame.symbol is not None:
        symbol = frame.symbol
        if symbol.startswith("_Z"):  # only C++ names load the demangler (ctypes)
            from traced.linux.demangle import demangled  # noqa: PLC0415

            symbol = demangled(symbol)
        return f" > {module}({symbol}+{frame.offset:#x}) [{frame.address:#x}]"
    if queued:
        return f" > {module}(+0x0) [{frame.address:#x}]"
    return f" > {module}() [{frame.address:#x}]"
