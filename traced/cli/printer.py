"""The CLI's sink: each event written as render.py words it, or as JSON Lines.

Not pure: it writes to the output (or, with -ff, to files it opens per task),
keeps what is on the line while a call is unfinished, and feeds the -c table.
An output that fails (a full disk) never stops the trace, nor the command: its
lines are counted instead (tracefile.py), and the CLI says so at the end.
"""

from __future__ import annotations

from traced.cli import notices
from traced.cli.render import (
    HAS_LINE,
    Lined,
    Timing,
    duration_suffix,
    entry_line,
    entry_text,
    event_line,
    resumed_line,
    stack_text,
    superseded_line,
    syscall_line,
)
from traced.cli.summary import Summary
from traced.cli.tracefile import Discarded, Failed, Output, PerTaskFiles, TraceFile
from traced.decoders.pidnames import comm_text
from traced.decoders.style import PLAIN, applied
from traced.events import (
    Entries,
    Event,
    ExecEvent,
    ExitEvent,
    FilterEvent,
    SpawnEvent,
    SyscallEntryEvent,
    SyscallEvent,
    Text,
    bytes_of,
    event_json,
)
from traced.filter.expression import Filter
from traced.syscalls.arch import host_arch

SESSION_TAG = 8  # of a session id's 12 characters: enough to tell sessions apart


def session_tag(session: str) -> str:
    """How a line names its session: the start of the id ``traced ps`` shows."""
    return f"s:{session[:SESSION_TAG]}"


def _is_terminal(out: Output) -> bool:
    try:
        return out.isatty()
    except (OSError, ValueError):
        return False


class Printer:
    """The CLI's sink: one line per event, strace-like text or JSON Lines.

    To a file, lines start with the tid as ``strace -f -o FILE`` writes them: with
    -f (``pid_column``) always, otherwise from the moment a second task appears.
    To a terminal a ``[pid N]`` prefix appears while more than one task is alive.
    With -ff (``per_task``) each task has its own file and no prefix.  A subscriber
    to every session (``session_tags``) starts each line with its session and pid, as
    ``[s:3f2a9c0b pid   123]``, so that one command's end is not taken for another's.
    """

    def __init__(
        self, out: Output, as_json: bool, to_file: bool, timing: Timing | None = None
    ) -> None:
        self.out = out
        self.out_name = "standard error"  # for a notice, should writing to it fail
        self.as_json = as_json
        self.to_file = to_file
        self.timing = timing or Timing()
        self.live: set[int] = set()  # tids seen and not yet exited
        self.broken = False
        self.filter = Filter()  # what the seccomp set alone does not decide
        # -c: count instead of printing; -C: count and print.
        self.summary: Summary | None = None
        self.print_lines = True
        self.pid_column = False
        self.session_tags = False
        self.entry_only = False  # entries are whole lines: nothing follows them
        # -k: the tracer is asked for stacks.  Any event's stack follows its line, as
        # strace's (render.stack_text); a never-returning call's, its task's exit line.
        self.stack_trace = False
        self.owed_stacks: dict[int, str] = {}
        self.per_task: PerTaskFiles | None = None
        # strace's interleaving: the call as it is entered, ``<unfinished ...>`` when
        # another line comes first, and ``<... NAME resumed>`` when it returns.  To a
        # file the entry is written only when another line cuts it: most calls return
        # before anything else happens, and their line is then written once, whole.
        self.open_line: tuple[int, str, str] | None = None  # tid, its prefix, text written
        self.held_entry: tuple[SyscallEntryEvent, str] | None = None  # not written yet
        self.entered: set[int] = set()  # tids whose call is shown, not yet returned
        # A non-leader thread's execve returns under the leader's tid: its former
        # tid -> the leader's, until that execve's line is written.
        self.moved: dict[int, int] = {}
        self.interactive = _is_terminal(out)
        self._plain: bool | None = None  # see _whole_line
        self.style = PLAIN  # -X, as the decoders print arguments (decoders/style.py)
        # -n: each line's syscall number, after its time (a signal's or an exit's: that
        # of its task's last call, as strace's tcb keeps it).
        self.numbers = False
        self.quiet: frozenset[str] = frozenset()  # -q's messages left out (cli/quiet.py)
        self.last_nr: dict[int, int] = {}

    def stages_entries(self) -> Entries:
        """When this printer needs calls as they are entered: to a terminal always (a
        call that blocks is seen while it blocks), to a file only when another line
        may cut the call's.  Never for JSON, -ff or -c, nor when a status or path
        filter can only decide once the call has returned."""
        if (
            self.as_json
            or self.per_task is not None
            or not self.print_lines
            or self.filter.status is not None
            or self.filter.paths
        ):
            return Entries.NEVER
        return Entries.ALWAYS if self.interactive else Entries.INTERLEAVED

    def wants(self, event: Event) -> bool:
        return self.filter.admits(event)

    def __call__(self, event: Event) -> None:
        if type(event) is FilterEvent:  # traced's own words, on stderr, as strace's notices
            notices.filter_outcome(event.pid, event.installed, event.reason)
            return
        if self.broken or not self.wants(event):
            if type(event) is SyscallEvent and event.stack is not None and not self.broken:
                self._owe_hidden(event)
            return
        if self.style is not PLAIN:  # -X, -x: what the printer words (signals, -y results)
            with applied(self.style):
                self._print(event)
            return
        self._print(event)

    def _print(self, event: Event) -> None:
        try:
            if type(event) is SyscallEvent and self._whole_line(event):
                self._write_syscall(event)
            elif type(event) is SyscallEntryEvent and self.entry_only and self._plain_lines():
                self._write_entry_only(event)
            else:
                self._write(event)
        except BrokenPipeError:
            # Like a reader that went away: keep tracing, stop writing.
            self.broken = True
        except OSError as error:
            self._failed(error, lines=1)

    def _failed(self, error: OSError, lines: int) -> None:
        """The output failed (ENOSPC, EIO): count what is not written from now on."""
        self.out = Discarded(self.out_name, error, lines)

    def note(self, line: str) -> None:
        """A line of the CLI's own among the events' (a subscriber's session ended)."""
        if self.broken:
            return
        try:
            self._cut_open_line()
            self.out.write(line + "\n")
        except BrokenPipeError:
            self.broken = True
        except OSError as error:
            self._failed(error, lines=1)

    def flush(self) -> None:
        try:
            self.out.flush()
        except BrokenPipeError:
            self.broken = True
        except OSError as error:
            self._failed(error, lines=0)

    def failures(self) -> list[Failed]:
        """The outputs that lost lines: none unless a disk filled or a file would not open."""
        failed: list[Failed] = [self.out] if isinstance(self.out, TraceFile | Discarded) else []
        return failed + (self.per_task.failed if self.per_task is not None else [])

    def _write(self, event: Event) -> None:
        if self.summary is not None and isinstance(event, SyscallEvent):
            self.summary.add(event)
        if not self.print_lines:
            return
        tid = event.tid
        if self.moved and isinstance(event, SyscallEvent):
            tid = self.moved.pop(tid, tid)  # the execve that moved it returns
        self.live.add(tid)
        if isinstance(event, SpawnEvent):
            self.live.add(event.parent_tid)
        if self.as_json:
            self.out.write(event_json(event).decode() + "\n")
            return
        tid_prefix = self._prefix(tid, event.session, getattr(event, "comm", None))
        if isinstance(event, SyscallEntryEvent):
            self._entered(event, tid_prefix + self._stamp(event, event.ts_ns))
            return
        if isinstance(event, ExecEvent) and event.old_tid is not None:
            self._supersede(event, tid_prefix)
            return
        if not isinstance(event, HAS_LINE):
            return  # stamped only when written: -r counts from the line before
        if isinstance(event, ExitEvent) and "exit" in self.quiet:
            self._forget(event)
            return
        line = self._line(event, tid_prefix, self._renamed_prefix(event, tid))
        if self.timing.durations and isinstance(event, SyscallEvent):
            line += duration_suffix(event.duration_ns)
        line += self._after(event)
        out = self.out if self.per_task is None else self.per_task[tid]
        out.write(line + "\n")
        if isinstance(event, ExitEvent):
            self._forget(event)

    def _after(self, event: Lined) -> str:
        """The lines that follow an event's: -e read=/write='s dumps, -k's stack."""
        if isinstance(event, SyscallEvent):
            return _dumps(event) + ("" if event.stack is None else self._stack(event))
        return "" if isinstance(event, ExitEvent) or event.stack is None else self._stack(event)

    def _stack(self, event: Lined) -> str:
        """-k: the event's stack lines, to follow its line; a call that never returned
        (exit_group) owes them until its task's exit line, where strace prints them."""
        stack = getattr(event, "stack", None)
        if stack is None:
            return ""
        text = stack_text(stack)
        if type(event) is SyscallEvent and event.retval is None and not event.detached:
            self.owed_stacks[event.tid] = self.owed_stacks.get(event.tid, "") + text
            return ""
        return text

    def _owe_hidden(self, event: SyscallEvent) -> None:
        """strace 6.1 prints the stack of an exit or exit_group it walked at entry when
        the task is gone, even if -z, -Z or -e status= hid the call's own line."""
        if event.retval is not None or event.detached or event.stack is None:
            return
        if event.stack.at == "entry" and self.filter._replace(status=None).admits(event):
            self._stack(event)

    def _renamed_prefix(self, event: Event, tid: int) -> str:
        """-Y: the prefix of a call's ``<... resumed>`` half when the call renamed its
        task (an exec), as strace reads the comm again there; "" when unchanged."""
        if isinstance(event, SyscallEvent) and event.exit_comm is not None:
            return self._prefix(tid, event.session, event.exit_comm)
        return ""

    def _forget(self, event: ExitEvent) -> None:
        """A task gone: no longer live, the stack it owes written, its -ff file closed."""
        self.live.discard(event.tid)
        owed = self.owed_stacks.pop(event.tid, None) if self.owed_stacks else None
        if owed:
            out = self.out if self.per_task is None else self.per_task[event.tid]
            out.write(owed[1:] + "\n")
        if self.per_task is not None:
            self.per_task.close(event.tid)

    def _whole_line(self, event: SyscallEvent) -> bool:
        """Whether a syscall's line is just its text, written whole: no -c table, no
        -T, no -ff, no JSON (settled at the first event), and nothing of the call on
        the line already.  Then it takes the short way, nearly every line does."""
        plain = self._plain if self._plain is not None else self._plain_lines()
        return plain and not self.moved and event.tid not in self.entered

    def _plain_lines(self) -> bool:
        """No -c table, no -T, no -ff, no JSON: settled at the first event."""
        if self._plain is None:
            self._plain = (
                self.summary is None
                and self.print_lines
                and not self.as_json
                and self.per_task is None
                and not self.timing.durations
            )
        return self._plain

    def _write_entry_only(self, event: SyscallEntryEvent) -> None:
        """:meth:`_write` for an entry-only call when :meth:`_plain_lines`: its whole
        line at once (entry-only stages no entry, so no line is ever left open)."""
        tid = event.tid
        self.live.add(tid)
        prefix = self._prefix(tid, event.session, event.comm) + self.timing.stamp(event.ts_ns)
        self.out.write(entry_line(event, prefix) + "\n")

    def _write_syscall(self, event: SyscallEvent) -> None:
        """:meth:`_write` for a syscall event when :meth:`_whole_line`."""
        tid = event.tid
        self.live.add(tid)
        prefix = self._prefix(tid, event.session, event.comm)
        if self.held_entry is not None or self.open_line is not None:
            self._cut_open_line()
        line = syscall_line(event, prefix + self._stamp(event, event.ts_ns))
        stack = "" if event.stack is None else self._stack(event)
        self.out.write(line + _dumps(event) + stack + "\n")

    def _supersede(self, event: ExecEvent, tid_prefix: str) -> None:
        """strace's line for the leader a non-leader thread's execve replaced; that
        thread's execve then returns under the leader's tid."""
        assert event.old_tid is not None
        self._cut_open_line(changed=(event.old_tid, event.tid))
        self.moved[event.old_tid] = event.tid
        self.live.discard(event.old_tid)
        if "thread-execve" in self.quiet:
            return
        out = self.out if self.per_task is None else self.per_task[event.tid]
        out.write(tid_prefix + self._stamp(event, event.ts_ns) + superseded_line(event) + "\n")

    def _entered(self, event: SyscallEntryEvent, prefix: str) -> None:
        if self.entry_only:  # its whole line: nothing of the call follows
            out = self.out if self.per_task is None else self.per_task[event.tid]
            out.write(entry_line(event, prefix) + "\n")
        elif self.stages_entries() is not Entries.NEVER:
            self._enter(event, prefix)

    def _enter(self, event: SyscallEntryEvent, prefix: str) -> None:
        self._cut_open_line()
        self.entered.add(event.tid)
        if self.interactive:
            self._write_entry(event, prefix)
            self.out.flush()  # a call that blocks is seen while it blocks
        else:
            self.held_entry = (event, prefix)

    def _write_entry(self, event: SyscallEntryEvent, prefix: str) -> None:
        text = prefix + entry_text(event)
        self.out.write(text)
        self.open_line = (event.tid, prefix, text)

    def _cut_open_line(self, changed: tuple[int, int] | None = None) -> None:
        """End the line a call's entry left open: ``<unfinished ...>``, or, for the
        thread (``changed``: old tid, new) whose execve made it the leader, ``<pid
        changed to 123 ...>``."""
        if self.held_entry is not None:
            self._write_entry(*self.held_entry)
            self.held_entry = None
        if self.open_line is not None:
            if changed is not None and self.open_line[0] == changed[0]:
                self.out.write(f" <pid changed to {changed[1]} ...>\n")
            else:
                self.out.write(" <unfinished ...>\n")
            self.open_line = None

    def _line(self, event: Lined, tid_prefix: str, resumed_prefix: str = "") -> str:
        """The event's line, or the rest of it when its entry is still on the line
        (``resumed_prefix``: the task's prefix when the call returned, if not the same)."""
        if isinstance(event, SyscallEvent) and event.tid in self.entered:
            self.entered.discard(event.tid)
            held = self.held_entry
            if held is not None and held[0].tid == event.tid:
                self.held_entry = None
                return syscall_line(event, held[1])
            if self.open_line is not None and self.open_line[0] == event.tid:
                _, entry_prefix, written = self.open_line
                whole = syscall_line(event, entry_prefix)
                self.open_line = None
                if whole.startswith(written):
                    return whole[len(written) :]
                self.out.write(" <unfinished ...>\n")
            else:
                self._cut_open_line()
            # Stamped when the call returns: the time strace writes the line at.
            returned = event.ts_ns + (event.duration_ns or 0)
            prefix = resumed_prefix or tid_prefix
            return resumed_line(event, prefix + self._stamp(event, returned))
        self._cut_open_line()
        return event_line(event, tid_prefix + self._stamp(event, event.ts_ns))

    def _stamp(self, event: Event, ts_ns: int) -> str:
        """-t/-r/-T's stamp, then -n's ``[ 39] ``."""
        stamp = self.timing.stamp(ts_ns)
        if not self.numbers:
            return stamp
        nr = getattr(event, "nr", None)
        if isinstance(event, ExitEvent) and event.signal is None:
            nr = _exit_number(event)  # its exit_group (or a thread's exit), filtered or not
        if nr is None:
            nr = self.last_nr.get(event.tid, 0)
        else:
            self.last_nr[event.tid] = nr
        return f"{stamp}[{nr:>4}] "

    def _prefix(self, tid: int, session: str, comm: Text | None = None) -> str:
        """The line's pid, as strace's printleader writes it; under -Y with the task's
        comm (``1234<sh> ``, ``[pid  1234<sh>] ``), an empty one left out."""
        shown = "" if not comm else f"<{comm_text(bytes_of(comm))}>"
        if self.session_tags:
            return f"[{session_tag(session)} pid {tid:>5}{shown}] "
        if self.per_task is not None:
            return ""
        if self.to_file:
            self.pid_column = self.pid_column or len(self.live) > 1
            if not self.pid_column:
                return ""
            return f"{tid}{shown} " if shown else f"{tid:<5} "
        return f"[pid {tid:>5}{shown}] " if len(self.live) > 1 else ""

    def _summary_text(self, summary: Summary) -> str:
        """strace's table, or with --json one ``summary`` record (its line)."""
        if not self.as_json:
            return summary.table()
        import json  # noqa: PLC0415 (only here: no other output of ours is json's)

        return json.dumps(summary.record(), separators=(",", ":")) + "\n"

    def finish(self) -> None:
        """At the end of the trace: the -c/-C table, if one was asked for."""
        try:
            if not self.broken:
                self._cut_open_line()
                for owed in self.owed_stacks.values():  # tasks never seen to end
                    self.out.write(owed[1:] + "\n")
                self.owed_stacks.clear()
            if self.summary is not None and not self.broken:
                self.out.write(self._summary_text(self.summary))
        except BrokenPipeError:
            self.broken = True
        except OSError as error:
            self._failed(error, lines=1)
        if self.per_task is not None:
            self.per_task.close_all()


def _exit_number(event: ExitEvent) -> int | None:
    """The call a task that exited made last: exit_group, or exit for a thread."""
    abi = host_arch().native
    return abi.numbers_by_name.get("exit_group" if event.tid == event.pid else "exit")


def _dumps(event: SyscallEvent) -> str:
    """-e read=/write=: the hex dump lines after the call's line, if any."""
    return "".join(f"\n{arg.dump}" for arg in event.args if arg.dump is not None)
