"""Compare what strace and traced saw of the same program, thread by thread.

Both outputs are reduced to the same form: for each thread, the list of its
syscalls as (name, path arguments, outcome), plus optionally the signals
delivered to it, and how it ended.  The outcome is ``ok``, the errno name
(``ENOENT``, ``ERESTARTSYS``, ...) or ``unfinished`` for a syscall that never
returned.  Return values other than the error are not compared: they differ
between runs (pids, addresses, byte counts of racing reads).

Thread identity.  Thread ids differ between runs, so each thread gets a
canonical name from the tree of who made whom: the traced command's first task
is ``0``, and the k-th task a task made (counting from 0, in the order its
clone/fork/vfork calls returned) is ``<parent>.<k>``.  strace shows that order
as the return values of clone, clone3, fork and vfork in the parent's lines, so
those calls must be in the trace set (:data:`IDENTITY_CALLS`); traced shows it
as its spawn events.

Exec from a non-leader thread.  The kernel destroys the other threads, the
leader included, and the exec'ing thread goes on under the leader's thread id.
We follow the thread, not the id: the execve call belongs to the thread that
made it, and everything shown under the leader's id after the exec (strace:
from the ``<... execve resumed>`` line on; traced: from the exec event whose
``old_tid`` is set on) belongs to that same canonical thread.  The leader keeps
what it did before, ending with its interrupted call as ``unfinished``.  Its
end is not an exit: strace says "superseded by execve", which is not compared,
and an exit event a tracer may give for it before the takeover is dropped.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

# Calls whose return value in the parent names the task they made.
IDENTITY_CALLS = ("clone", "clone3", "fork", "vfork")
EXEC_CALLS = ("execve", "execveat")

# Which argument positions are paths, for the calls whose paths we compare.
PATH_ARGS: dict[str, tuple[int, ...]] = {
    "open": (0,),
    "creat": (0,),
    "openat": (1,),
    "openat2": (1,),
    "execve": (0,),
    "execveat": (1,),
    "stat": (0,),
    "lstat": (0,),
    "newfstatat": (1,),
    "statx": (1,),
    "statfs": (0,),
    "access": (0,),
    "faccessat": (1,),
    "faccessat2": (1,),
    "readlink": (0,),
    "readlinkat": (1,),
    "unlink": (0,),
    "unlinkat": (1,),
    "mkdir": (0,),
    "mkdirat": (1,),
    "rmdir": (0,),
    "mknod": (0,),
    "mknodat": (1,),
    "rename": (0, 1),
    "renameat": (1, 3),
    "renameat2": (1, 3),
    "link": (0, 1),
    "linkat": (1, 3),
    "symlink": (0, 1),
    "symlinkat": (0, 2),
    "chdir": (0,),
    "chroot": (0,),
    "chmod": (0,),
    "fchmodat": (1,),
    "chown": (0,),
    "lchown": (0,),
    "fchownat": (1,),
    "truncate": (0,),
    "utime": (0,),
    "utimes": (0,),
    "utimensat": (1,),
    "futimesat": (1,),
    "getxattr": (0,),
    "lgetxattr": (0,),
    "setxattr": (0,),
    "lsetxattr": (0,),
    "listxattr": (0,),
    "llistxattr": (0,),
    "removexattr": (0,),
    "lremovexattr": (0,),
    "inotify_add_watch": (1,),
    "name_to_handle_at": (1,),
    "umount2": (0,),
    "swapon": (0,),
    "swapoff": (0,),
    "acct": (0,),
    "pivot_root": (0, 1),
}

# Parts of paths that differ from run to run by nature, never by a tracer's
# doing; each was seen to differ between two strace runs of the same program.
_UNSTABLE_PATH_PARTS = (
    # Process and thread ids under /proc (and /proc/PID/task/TID).
    (re.compile(r"^/proc/\d+(?=/|$)"), "/proc/PID"),
    (re.compile(r"(?<=/task/)\d+(?=/|$)"), "TID"),
    # gcc's temporary files (/tmp/ccAbC123.s, ccXyZ789.o, ...): mkstemps names.
    (re.compile(r"/cc[A-Za-z0-9]{6}(?=\.\w+$|$)"), "/ccXXXXXX"),
)


def normalize_path(path: str) -> str:
    for pattern, stable in _UNSTABLE_PATH_PARTS:
        path = pattern.sub(stable, path)
    return path


# --------------------------------------------------------------------------
# The common form


@dataclass(frozen=True)
class Entry:
    """One thing a thread did, reduced to what both tracers must agree on.

    ``kind`` is ``syscall``, ``signal`` or ``exit``; ``name`` is the syscall's
    name, the signal's name, or how the task ended (``exited 3``,
    ``killed SIGSEGV``).
    """

    kind: str
    name: str
    paths: tuple[str | None, ...] = ()
    outcome: str = ""

    def __str__(self) -> str:
        if self.kind == "signal":
            return f"--- {self.name} ---"
        if self.kind == "exit":
            return f"+++ {self.name} +++"
        shown = ", ".join("NULL" if p is None else json.dumps(p) for p in self.paths)
        return f"{self.name}({shown}) = {self.outcome}"


@dataclass(frozen=True)
class Seen:
    """An entry, in the order the tracer reported it, under the tid it showed."""

    tid: int
    entry: Entry


@dataclass(frozen=True)
class Spawned:
    """A task made another; reported in creation order per parent."""

    parent_tid: int
    child_tid: int


@dataclass(frozen=True)
class TookOver:
    """A non-leader thread exec'd: from here on ``new_tid`` is that thread."""

    old_tid: int
    new_tid: int


Observation = Seen | Spawned | TookOver
Threads = dict[str, list[Entry]]


def exit_entry(code: int | None, signal: str | None, core_dumped: bool = False) -> Entry:
    if signal is not None:
        return Entry("exit", f"killed {signal}" + (" (core dumped)" if core_dumped else ""))
    return Entry("exit", f"exited {code}")


def syscall_entry(name: str, paths: Iterable[str | None], outcome: str) -> Entry:
    stable = tuple(None if p is None else normalize_path(p) for p in paths)
    return Entry("syscall", name, stable, outcome)


# --------------------------------------------------------------------------
# strace -f -o FILE


_LINE = re.compile(r"^(?P<tid>\d+)\s+(?P<body>.*)$")
_SIGNAL = re.compile(r"^--- (?P<sig>SIG\w+) .*---$")
_STOPPED = re.compile(r"^--- stopped by SIG\w+ ---$")
_EXITED = re.compile(r"^\+\+\+ exited with (?P<code>\d+) \+\+\+$")
_KILLED = re.compile(r"^\+\+\+ killed by (?P<sig>SIG\w+)(?P<core> \(core dumped\))? \+\+\+$")
_SUPERSEDED = re.compile(r"^\+\+\+ superseded by execve in pid \d+ \+\+\+$")
_RESUMED = re.compile(r"^<\.\.\. (?P<name>\w+) resumed>(?P<rest>.*)$")
_UNFINISHED = " <unfinished ...>"
_CALL_NAME = re.compile(r"^(?P<name>\w+)\(")
_ERROR_RESULT = re.compile(r"^(?:-1|\?) (?P<errno>E[A-Z0-9_]+)\b")


@dataclass(frozen=True)
class StraceCall:
    """One syscall line of strace, unfinished/resumed halves joined."""

    name: str
    args: tuple[str, ...]  # each argument's text as strace printed it
    result: str  # what follows "= "

    @property
    def outcome(self) -> str:
        error = _ERROR_RESULT.match(self.result)
        if error:
            return error["errno"]
        return "unfinished" if self.result.startswith("?") else "ok"

    @property
    def retval(self) -> int | None:
        try:
            return int(self.result.split()[0], 0)
        except (ValueError, IndexError):
            return None

    def path(self, position: int) -> str | None:
        if position >= len(self.args):
            return None
        return decode_strace_string(self.args[position])


def parse_strace_call(text: str) -> StraceCall:
    """``openat(AT_FDCWD, "/x", O_RDONLY) = -1 ENOENT (...)`` into its parts."""
    match = _CALL_NAME.match(text)
    if not match:
        raise ValueError(f"not a syscall line: {text!r}")
    args, end = _split_args(text, match.end())
    rest = text[end:].strip()
    if not rest.startswith("="):
        raise ValueError(f"no result in syscall line: {text!r}")
    return StraceCall(match["name"], tuple(args), rest[1:].strip())


def _split_args(text: str, start: int) -> tuple[list[str], int]:
    """Split the argument list opened just before ``start`` at its top-level
    commas; return the arguments and the index just past the closing paren."""
    args: list[str] = []
    depth = 0
    current = start
    index = start
    while index < len(text):
        char = text[index]
        if char == '"':
            index = _end_of_string(text, index)
            continue
        if char in "([{":
            depth += 1
        elif char in ")]}":
            if depth == 0:
                args.append(text[current:index].strip())
                return [a for a in args if a], index + 1
            depth -= 1
        elif char == "," and depth == 0:
            args.append(text[current:index].strip())
            current = index + 1
        index += 1
    raise ValueError(f"unbalanced syscall line: {text!r}")


def _end_of_string(text: str, quote: int) -> int:
    """Index just past the string literal that opens at ``quote``."""
    index = quote + 1
    while index < len(text):
        if text[index] == "\\":
            index += 2
        elif text[index] == '"':
            return index + 1
        else:
            index += 1
    raise ValueError(f"unterminated string in: {text!r}")


_SIMPLE_ESCAPES = {"n": 10, "t": 9, "r": 13, "v": 11, "f": 12, "\\": 92, '"': 34, "'": 39}
_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|[0-7]{1,3}|.)", re.DOTALL)


def decode_strace_string(arg: str) -> str | None:
    """The value of a quoted strace argument (``"a\\"b\\303\\251"`` → ``a"bé``),
    or None for anything else (NULL, an address strace could not read)."""
    if not arg.startswith('"'):
        return None
    body = arg[1 : _end_of_string(arg, 0) - 1]
    raw = bytearray()
    position = 0
    for escape in _ESCAPE.finditer(body):
        raw += body[position : escape.start()].encode()
        raw.append(_escape_value(escape.group(1)))
        position = escape.end()
    raw += body[position:].encode()
    return raw.decode("utf-8", "surrogateescape")


def _escape_value(escape: str) -> int:
    if escape[0] == "x" and len(escape) == 3:
        return int(escape[1:], 16)
    if escape[0] in "01234567":
        return int(escape, 8)
    return _SIMPLE_ESCAPES.get(escape, ord(escape))


class StraceParser:
    """Turns strace -f output lines into observations, in file order."""

    def __init__(self) -> None:
        self.observations: list[Observation] = []
        self._pending: dict[int, str] = {}  # tid → the unfinished line's text

    def feed(self, line: str) -> None:
        if not line.strip():
            return
        match = _LINE.match(line)
        if not match:
            raise ValueError(f"strace line without a pid (run strace with -f): {line!r}")
        tid, body = int(match["tid"]), match["body"].rstrip()
        if body.startswith("--- "):
            self._signal(tid, body)
        elif body.startswith("+++ "):
            self._task_end(tid, body)
        elif body.startswith("<... "):
            self._resumed(tid, body)
        elif body.endswith(_UNFINISHED):
            self._pending[tid] = body.removesuffix(_UNFINISHED)
        else:
            self._call(tid, parse_strace_call(body))

    def finish(self) -> list[Observation]:
        for tid in list(self._pending):
            self._flush_pending(tid)
        return self.observations

    def _flush_pending(self, tid: int) -> None:
        """A call still pending when its task ends (or the output does) never
        returned: strace printed no end for it."""
        if tid in self._pending:
            self._call(tid, parse_strace_call(self._pending.pop(tid) + ") = ?"))

    def _signal(self, tid: int, body: str) -> None:
        if _STOPPED.match(body):
            return  # a group-stop notice, not a delivery
        match = _SIGNAL.match(body)
        if not match:
            raise ValueError(f"unknown strace signal line: {body!r}")
        self.observations.append(Seen(tid, Entry("signal", match["sig"])))

    def _task_end(self, tid: int, body: str) -> None:
        self._flush_pending(tid)
        if exited := _EXITED.match(body):
            self.observations.append(Seen(tid, exit_entry(int(exited["code"]), None)))
        elif killed := _KILLED.match(body):
            entry = exit_entry(None, killed["sig"], core_dumped=bool(killed["core"]))
            self.observations.append(Seen(tid, entry))
        elif not _SUPERSEDED.match(body):
            raise ValueError(f"unknown strace task-end line: {body!r}")

    def _resumed(self, tid: int, body: str) -> None:
        match = _RESUMED.match(body)
        if not match:
            raise ValueError(f"unknown strace resumed line: {body!r}")
        name = match["name"]
        caller = self._caller_of_resumed(tid, name)
        if caller != tid:
            self.observations.append(TookOver(old_tid=caller, new_tid=tid))
        self._call(caller, parse_strace_call(self._pending.pop(caller) + match["rest"]))

    def _caller_of_resumed(self, tid: int, name: str) -> int:
        """The tid whose unfinished call this resumes.  Normally the same tid;
        for an exec by a non-leader thread strace shows the end under the
        leader's tid, and the entry is pending under the exec'ing thread."""
        if _pending_name(self._pending.get(tid)) == name:
            return tid
        if name in EXEC_CALLS:
            callers = [t for t, text in self._pending.items() if _pending_name(text) == name]
            if len(callers) == 1:
                return callers[0]
        raise ValueError(f"<... {name} resumed> for tid {tid} with no such call pending")

    def _call(self, tid: int, call: StraceCall) -> None:
        paths = (call.path(p) for p in PATH_ARGS.get(call.name, ()))
        self.observations.append(Seen(tid, syscall_entry(call.name, paths, call.outcome)))
        if call.name in IDENTITY_CALLS and call.outcome == "ok" and call.retval:
            self.observations.append(Spawned(parent_tid=tid, child_tid=call.retval))


def _pending_name(text: str | None) -> str | None:
    match = _CALL_NAME.match(text) if text else None
    return match["name"] if match else None


def parse_strace(text: str) -> list[Observation]:
    parser = StraceParser()
    for line in text.splitlines():
        parser.feed(line)
    return parser.finish()


# --------------------------------------------------------------------------
# traced --json


def parse_traced(text: str) -> list[Observation]:
    observations: list[Observation] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            event = json.loads(line)
        except json.JSONDecodeError as error:
            raise ValueError(f"traced output line {number} is not JSON: {line!r}") from error
        observations.extend(_traced_observations(event))
    return observations


def _traced_observations(event: dict[str, object]) -> Iterator[Observation]:
    kind, tid = event["type"], _int(event["tid"])
    if kind == "syscall":
        yield Seen(tid, _traced_syscall(event))
    elif kind == "spawn":
        yield Spawned(parent_tid=_int(event["parent_tid"]), child_tid=tid)
    elif kind == "exec":
        old_tid = event.get("old_tid")
        if isinstance(old_tid, int) and old_tid != tid:
            yield TookOver(old_tid=old_tid, new_tid=tid)
    elif kind == "signal":
        yield Seen(tid, Entry("signal", str(event["signal"])))
    elif kind == "group_stop":
        return  # a group-stop notice, not a delivery (strace's "stopped by" is skipped too)
    elif kind == "exit":
        code, signal = event.get("code"), event.get("signal")
        yield Seen(
            tid,
            exit_entry(
                code if isinstance(code, int) else None,
                signal if isinstance(signal, str) else None,
                core_dumped=bool(event.get("core_dumped")),
            ),
        )
    else:
        raise ValueError(f"unknown traced event type {kind!r}: {event}")


def _traced_syscall(event: dict[str, object]) -> Entry:
    name, args = str(event["name"]), event["args"]
    assert isinstance(args, list), f"syscall args are not a list: {event}"
    values = [arg["value"] if isinstance(arg, dict) else None for arg in args]
    paths = (
        values[p] if p < len(values) and isinstance(values[p], str) else None
        for p in PATH_ARGS.get(name, ())
    )
    return syscall_entry(name, paths, _traced_outcome(event["retval"], event["error"]))


def _traced_outcome(retval: object, error: object) -> str:
    if error is not None:
        return str(error)
    return "unfinished" if retval is None else "ok"


def _int(value: object) -> int:
    assert isinstance(value, int), f"expected an int, got {value!r}"
    return value


# --------------------------------------------------------------------------
# Canonical thread names


class _Identities:
    """Which task (named by the tid it was born with) a tid shows at a given
    point of the observation stream, and who made whom."""

    def __init__(self, observations: Sequence[Observation]) -> None:
        self.root = _root_tid(observations)
        # tid → [(index, birth tid)]: where a non-leader exec'd, the leader's
        # tid means the exec'ing thread from the takeover on.
        self._takeovers: dict[int, list[tuple[int, int]]] = defaultdict(list)
        self.children: dict[int, list[int]] = defaultdict(list)
        # tid → where it was last taken over: an exit shown under it before
        # then is a superseded task's (a task that really exited leaves its
        # tid unused for the rest of the run).
        self.last_takeover: dict[int, int] = {}
        for index, seen in enumerate(observations):
            if isinstance(seen, TookOver):
                self._takeovers[seen.new_tid].append((index, seen.old_tid))
                self.last_takeover[seen.new_tid] = index
        for index, seen in enumerate(observations):
            if isinstance(seen, Spawned):
                self.children[self.task_at(seen.parent_tid, index)].append(seen.child_tid)

    def task_at(self, tid: int, index: int) -> int:
        task = tid
        for since, thread in self._takeovers.get(tid, ()):
            if since <= index:
                task = thread
        return task

    def names(self) -> dict[int, str]:
        names = {self.root: "0"}
        stack = [self.root]
        while stack:
            parent = stack.pop()
            for number, child in enumerate(self.children.get(parent, ())):
                if child in names:
                    raise ValueError(
                        f"tid {child} made twice: reused within one run, or reported twice"
                    )
                names[child] = f"{names[parent]}.{number}"
                stack.append(child)
        return names


def _root_tid(observations: Sequence[Observation]) -> int:
    """The first tid reported that no task made: the traced command.  (Not
    simply the first tid: strace may show a child before its parent.)"""
    made = {seen.child_tid for seen in observations if isinstance(seen, Spawned)}
    for seen in observations:
        tid = seen.parent_tid if isinstance(seen, Spawned) else _tid_of(seen)
        if tid not in made:
            return tid
    raise ValueError("the tracer reported nothing, or only tasks with no first task")


def _tid_of(seen: Seen | TookOver) -> int:
    return seen.tid if isinstance(seen, Seen) else seen.new_tid


def canonical_threads(
    observations: Sequence[Observation], *, kinds: Iterable[str] = ("syscall", "exit")
) -> Threads:
    """Entries of the wanted kinds, per canonical thread name (see module doc)."""
    wanted = set(kinds)
    identities = _Identities(observations)
    names = identities.names()
    threads: Threads = defaultdict(list)
    for index, seen in enumerate(observations):
        if not isinstance(seen, Seen) or seen.entry.kind not in wanted:
            continue
        if seen.entry.kind == "exit" and index < identities.last_takeover.get(seen.tid, -1):
            continue  # the leader superseded by a non-leader's exec (module doc)
        task = identities.task_at(seen.tid, index)
        threads[names.get(task, f"?unknown-tid-{task}")].append(seen.entry)
    return dict(threads)


# --------------------------------------------------------------------------
# Comparison


@dataclass(frozen=True)
class Agreement:
    threads: int
    syscalls: int

    def __str__(self) -> str:
        return f"{self.threads} threads, {self.syscalls} syscalls, all equal"


def _thread_order(name: str) -> tuple[int, ...]:
    return tuple(int(part) if part.isdigit() else -1 for part in name.split("."))


def compare_threads(
    strace: Threads, traced: Threads, *, second: str = "traced", max_threads_shown: int = 5
) -> Agreement:
    """Raise AssertionError with a readable diff unless both agree exactly.
    ``second`` names the tracer whose threads are ``traced`` in messages."""
    names = sorted(strace.keys() | traced.keys(), key=_thread_order)
    differing = [n for n in names if strace.get(n) != traced.get(n)]
    if differing:
        sides = ("strace", second)
        reports = [_thread_diff(n, strace.get(n), traced.get(n), sides) for n in differing]
        shown = "\n\n".join(reports[:max_threads_shown])
        more = len(differing) - max_threads_shown
        tail = f"\n\n... and {more} more differing threads" if more > 0 else ""
        raise AssertionError(
            f"{second} disagrees with strace on {len(differing)} of {len(names)} threads "
            f"({', '.join(differing[:20])}):\n\n{shown}{tail}"
        )
    calls = sum(1 for entries in strace.values() for e in entries if e.kind == "syscall")
    return Agreement(threads=len(names), syscalls=calls)


def _thread_diff(
    name: str,
    left: list[Entry] | None,
    right: list[Entry] | None,
    sides: tuple[str, str],
    context: int = 3,
) -> str:
    if left is None or right is None:
        side, entries = (sides[0], left) if right is None else (sides[1], right)
        assert entries is not None
        listing = "\n".join(f"    {e}" for e in entries[: 2 * context + 1])
        return f"thread {name}: only {side} has it ({len(entries)} entries):\n{listing}"
    first = next(
        (i for i, (a, b) in enumerate(zip(left, right, strict=False)) if a != b),
        min(len(left), len(right)),
    )
    lines = [
        f"thread {name}: first difference at entry {first} "
        f"({sides[0]} has {len(left)} entries, {sides[1]} {len(right)})",
        f"        {sides[0]:<60} {sides[1]}",
    ]
    for index in range(max(0, first - context), first + context + 1):
        shown_left = str(left[index]) if index < len(left) else ""
        shown_right = str(right[index]) if index < len(right) else ""
        if not shown_left and not shown_right:
            break
        marker = ">" if index == first else " "
        lines.append(f"{marker} {index:4}  {shown_left:<60} {shown_right}")
    return "\n".join(lines)


# --------------------------------------------------------------------------
# Running both tracers


@dataclass(frozen=True)
class Run:
    status: int  # the traced command's exit status, 128+N when killed by signal N
    output: str  # the tracer's trace
    stderr: str


@dataclass(frozen=True)
class Outcome:
    """Both runs of one program and what they agreed on."""

    strace: Run
    traced: Run
    agreement: Agreement
    traced_observations: list[Observation]


def exit_status(returncode: int) -> int:
    """subprocess's returncode (-N when killed by signal N) as a shell shows it."""
    return 128 - returncode if returncode < 0 else returncode


def trace_set(*names: str) -> tuple[str, ...]:
    """The syscall names to trace, with the calls thread identity needs."""
    return tuple(dict.fromkeys((*names, *IDENTITY_CALLS)))


def _selection(trace: Sequence[str] | None) -> list[str]:
    return ["-e", "trace=" + ",".join(trace)] if trace else []


@dataclass
class Tracers:
    """Runs one program under strace and under traced, in the same empty
    working directory and environment, and compares what both saw.

    With ``STRACECMP_SELFCHECK=1`` in the environment the second run is strace
    again: that proves a test program deterministic, apart from traced.
    """

    strace: str
    python: str
    workdir: Path
    outdir: Path
    env: dict[str, str]
    timeout: float = 60
    selfcheck: bool = False

    @property
    def second(self) -> str:
        return "strace (selfcheck)" if self.selfcheck else "traced"

    def strace_command(self, trace: Sequence[str] | None, out: Path) -> list[str]:
        # -q, not -qq: -qq would hide the "+++ exited with N +++" lines we compare.
        return [self.strace, "-f", "-q", *_selection(trace), "-o", str(out), "--"]

    def traced_command(self, trace: Sequence[str] | None, out: Path) -> list[str]:
        if self.selfcheck:
            return self.strace_command(trace, out)
        selection = _selection(trace)
        launch = [self.python, "-m", "traced", "launch", "-f"]
        return [*launch, *selection, "--json", "-o", str(out), "--"]

    def run(self, command: list[str], out: Path, prepare: Callable[[Path], None] | None) -> Run:
        """Run in a freshly emptied workdir; ``prepare`` may put files there first."""
        shutil.rmtree(self.workdir, ignore_errors=True)
        self.workdir.mkdir()
        if prepare:
            prepare(self.workdir)
        out.unlink(missing_ok=True)
        try:
            done = subprocess.run(
                command,
                cwd=self.workdir,
                env=self.env,
                capture_output=True,
                text=True,
                timeout=self.timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as error:
            raise AssertionError(f"timed out after {self.timeout} s: {command}") from error
        output = out.read_text(errors="surrogateescape") if out.exists() else ""
        return Run(exit_status(done.returncode), output, done.stderr)

    def agree(
        self,
        argv: Sequence[str],
        trace: Sequence[str] | None,
        *,
        signals: bool = False,
        prepare: Callable[[Path], None] | None = None,
    ) -> Outcome:
        """Both runs; assert the same exit status and the same threads."""
        strace_out, second_out = self.outdir / "strace.txt", self.outdir / "traced.jsonl"
        first = self.run([*self.strace_command(trace, strace_out), *argv], strace_out, prepare)
        second = self.run([*self.traced_command(trace, second_out), *argv], second_out, prepare)
        assert first.status == second.status, (
            f"exit status: strace {first.status}, {self.second} {second.status}\n"
            f"strace stderr:\n{first.stderr}\n{self.second} stderr:\n{second.stderr}"
        )
        parse_second = parse_strace if self.selfcheck else parse_traced
        seen_second = parse_second(second.output)
        kinds = ("syscall", "exit", "signal") if signals else ("syscall", "exit")
        agreement = compare_threads(
            canonical_threads(parse_strace(first.output), kinds=kinds),
            canonical_threads(seen_second, kinds=kinds),
            second=self.second,
        )
        return Outcome(first, second, agreement, seen_second)


def tracer_env(repo_root: Path) -> dict[str, str]:
    """One environment for both tracers' runs, so the traced program sees the
    same either way; PYTHONPATH lets ``python -m traced`` run from any cwd."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(repo_root), env.get("PYTHONPATH")]))
    return env
