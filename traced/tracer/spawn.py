"""Starting a command as a tracee.

Kernel facts this module depends on:

* A seccomp filter needs PR_SET_NO_NEW_PRIVS (or CAP_SYS_ADMIN), applies to
  every syscall after it is installed, and survives execve and fork.  no_new_privs
  shows (prctl(PR_GET_NO_NEW_PRIVS) = 1) and stops set-user-ID programs: root's own
  command, as under strace, gets it only if seccomp() refuses without it.
* A set-user-ID program exec'd under a tracer holding CAP_SYS_PTRACE (a root daemon
  running a client's command) would gain its privileges under that client's trace:
  a command run as another user always gets no_new_privs (docs/security.md).
* A syscall the filter sends to a tracer fails with ENOSYS while nobody traces
  the task.  So the child waits, blocked on a pipe, until the parent has seized
  it, and only then installs the filter and calls execve.
* A forked child has its parent's signal handlers until it execs.  So signals are
  blocked across fork, and the child unblocks them only once it has reset its
  handlers; a signal sent to the command before its exec is then delivered at its
  default action.
* setsid() leaves the child with no controlling terminal (a daemon started by hand
  has one) and makes it the leader of a new process group.  A session leader
  without one acquires a terminal with TIOCSCTTY (one no other session has), and its
  group becomes that terminal's foreground group: so a command given a pty of its
  own (``terminal``) opens /dev/tty, and its keys' signals reach it.
* The kernel discards a stop by SIGTSTP, SIGTTIN or SIGTTOU at their default action
  in an orphaned process group: one where no member's parent is in the same session
  but another group (POSIX's job-control shell).  A command leading its own session
  is such a group, so Ctrl-Z would not stop ``cat``, ``vim`` or ``less``.  With a
  terminal, the child therefore stays as the session's leader, a shell that only
  waits, and forks the command into a group of its own, the terminal's foreground
  one (tcsetpgrp, allowed while SIGTTOU is blocked).  The command is the tracee; its
  pid reaches the parent on a pipe.  A traced child's exit reaches its parent only
  after its tracer has reaped it, so the leader outlives the session's last event
  and then exits, reaped by the tracer as a child of its own nobody traces.
* The parent makes no syscall on the child's behalf: the child sets up its own
  fds, cwd, umask and signal dispositions.
* An ignored signal stays ignored across execve, as does the signal mask; handlers
  go back to SIG_DFL.  So the child sets every disposition it can (1..SIGRTMAX but
  SIGKILL, SIGSTOP and the two glibc keeps for itself, which sigaction refuses) to
  SIG_DFL, then ignores exactly the signals its requester had ignored (``nohup``'s
  SIGHUP), and empties its mask: nothing of the tracer's own (a daemon's, Python's
  SIGPIPE) reaches the command.
* An fd without FD_CLOEXEC stays open across execve at its number; dup2 clears the
  flag on its target.  The command gets exactly the fds it is owed, each at its
  number (its stdio and the inherited ones, strace's "the command gets what it was
  given"); every other fd is closed, whatever its flag.  A number the requester had
  closed is closed in the command too.  The sources may sit on one another's targets
  (a daemon's fds are numbered anyhow), so each is first copied above every target,
  then dup2'd down.
* execve refuses (EINVAL, or Python's ValueError) an argument or environment entry
  with a NUL byte, and a name with ``=`` cannot round-trip through ``environ``: such
  a command is refused before the fork, saying which entry is wrong.
* A program name without a slash is searched in PATH as a shell does it, and a
  relative entry (``.``, ``bin``, or an empty one) is relative to the command's cwd,
  not the tracer's.
* A close-on-exec pipe reports the outcome: it closes with nothing written when
  execve succeeds, and carries the errno when it fails.
* Without a filter (full mode) a seized task stops at the entry and the exit of every
  syscall, those of the child's own setup too: some 70 calls (62 sigactions alone)
  that are never shown, 140 stops, about a third of the tracing time of ``traced
  launch -- true``.  So there the parent waits for the setup's end (the child closes
  a third pipe; EOF also if it dies) before it seizes.  The wait is bounded
  (``SETUP_WAIT_S``; the daemon's loop waits with it): a setup slower than that (a
  cwd on a hung NFS mount) is seized where it is, as it always was.  With a filter
  nothing stops before the filter is installed, and the parent does not wait.
* PTRACE_SEIZE of a task that has already exited fails with EPERM.  So a child whose
  setup fails before it is released (a program its user cannot find) reports, then
  waits for its release (or the tracer's end) before exiting: the failure then
  always reaches the session, never races the seize.
"""

from __future__ import annotations

import contextlib
import enum
import errno as errno_module
import fcntl
import os
import select
import signal
import stat
import struct
import termios
from collections.abc import Mapping
from typing import NamedTuple

from traced.core.abi import WALL
from traced.errors import (
    EXIT_NOT_FOUND,
    InvalidLaunchError,
    SeccompError,
    SpawnError,
    exit_status_for_exec_error,
)
from traced.linux.seccomp import install_filter, set_no_new_privs

_GO = b"g"
SETUP_WAIT_S = 0.02  # the longest a full-mode launch waits to seize a child set up (~2 ms)
_FAILURE = struct.Struct("=ii")  # (stage, errno)
_PID = struct.Struct("=i")


class Stage(enum.IntEnum):
    """The step of the child's setup that failed, sent to the parent with its errno."""

    EXEC = 0
    STDIO = 1
    CHDIR = 2
    NO_NEW_PRIVS = 3
    SECCOMP = 4
    CREDENTIALS = 5
    SESSION = 6


# How a SpawnError names each stage.
_STAGE_WORDS = {
    Stage.EXEC: "exec",
    Stage.STDIO: "set up stdio",
    Stage.CHDIR: "change directory",
    Stage.NO_NEW_PRIVS: "set NO_NEW_PRIVS",
    Stage.SECCOMP: "install seccomp filter",
    Stage.CREDENTIALS: "set credentials",
    Stage.SESSION: "start the terminal's session",
}
CLOSED = -1  # a ``LaunchSpec.stdio`` entry: the command gets this fd closed
_UNSETTABLE = (signal.SIGKILL, signal.SIGSTOP)


# The records here are NamedTuples and a plain class, not dataclasses: a dataclass costs
# some 0.5 ms to create, and every launch imports this module (bench/startup.py).


class Credentials(NamedTuple):
    """Who the command runs as, when the tracer is root and the requester is not."""

    uid: int
    gid: int
    groups: tuple[int, ...]


class LaunchSpec(NamedTuple):
    argv: tuple[str, ...]
    env: Mapping[str, str] | None = None
    cwd: str | None = None
    umask: int | None = None
    stdio: tuple[int, int, int] = (0, 1, 2)  # the fds that become 0, 1, 2; CLOSED: none
    # (number in the command, fd here) for each fd of 3 and above the command gets:
    # what the requester inherited.  Every other fd is closed.
    inherited: tuple[tuple[int, int], ...] = ()
    ignored_signals: frozenset[int] = frozenset()  # the requester's; all else SIG_DFL
    nice: int | None = None  # the command's nice value, when not the tracer's own
    credentials: Credentials | None = None
    # A daemon's command gets its own session and process group, so that ending it
    # reaches its whole job and it has no controlling terminal (not the daemon's);
    # an in-process launch stays in the terminal's foreground group.
    new_process_group: bool = False
    # fd 0 is a terminal of the command's own (a pty the client relays): in its new
    # session (new_process_group), it becomes the controlling terminal.
    terminal: bool = False


class Child:
    """A forked child, blocked until :meth:`release`, whose outcome :meth:`outcome` reads."""

    __slots__ = ("go_fd", "pid", "program", "report_fd")

    def __init__(self, pid: int, program: str, go_fd: int, report_fd: int) -> None:
        self.pid = pid
        self.program = program
        self.go_fd = go_fd
        self.report_fd = report_fd

    def __repr__(self) -> str:
        return f"Child(pid={self.pid}, program={self.program!r})"

    def release(self) -> None:
        """Let the child install its filter and exec.  Call once it is seized."""
        if self.go_fd >= 0:
            os.write(self.go_fd, _GO)
            os.close(self.go_fd)
            self.go_fd = -1

    def read_outcome(self) -> SpawnError | None:
        """After the report pipe is readable: None if execve succeeded."""
        data = os.read(self.report_fd, _FAILURE.size)
        os.close(self.report_fd)
        self.report_fd = -1
        if len(data) < _FAILURE.size:
            return None
        stage, err = _FAILURE.unpack(data)
        return SpawnError(self.program, err, _STAGE_WORDS[Stage(stage)])

    def close_pipes(self) -> None:
        for fd in (self.go_fd, self.report_fd):
            if fd >= 0:
                os.close(fd)
        self.go_fd = self.report_fd = -1

    def abandon(self) -> None:
        """The parent could not seize it: end it and reap it, so no zombie stays."""
        self.close_pipes()
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, WALL)  # SIGKILL makes this wait short


def resolve_program(name: str, env: Mapping[str, str] | None, cwd: str | None = None) -> str:
    """The file execve will run, searched in PATH as a shell does; SpawnError if none.

    A relative PATH entry is taken in ``cwd``, where the command will run (None: ours)."""
    if "/" in name:
        return name
    path = (env if env is not None else os.environ).get("PATH", os.defpath)
    denied = False
    for directory in path.split(os.pathsep):
        candidate = os.path.join(cwd or "", directory or ".", name)
        try:
            mode = os.stat(candidate).st_mode
        except (OSError, ValueError):  # ValueError: a NUL, or text with no bytes (a surrogate)
            continue
        if stat.S_ISREG(mode) and os.access(candidate, os.X_OK):
            return candidate
        denied = True
    raise SpawnError(name, errno_module.EACCES if denied else errno_module.ENOENT)


def check_launchable(spec: LaunchSpec) -> None:
    """InvalidLaunchError unless execve can take ``spec``'s argv, env and cwd as given."""
    for index, arg in enumerate(spec.argv):
        _check_text(arg, f"argv[{index}]")
    for key, value in (spec.env or {}).items():
        if not key or "=" in key:
            raise InvalidLaunchError(f"environment name {key!r} is empty or contains '='")
        _check_text(key, f"environment name {key!r}")
        _check_text(value, f"the value of environment variable {key}")
    if spec.cwd is not None:
        _check_text(spec.cwd, "cwd")


def _check_text(text: str, what: str) -> None:
    if "\0" in text:
        raise InvalidLaunchError(f"{what} contains a NUL byte, which execve cannot pass")
    try:
        os.fsencode(text)
    except UnicodeEncodeError as error:  # a lone surrogate that no byte stands for
        raise InvalidLaunchError(f"{what} is not encodable: {error.reason}") from error


def fork_child(spec: LaunchSpec, program: str, seccomp_program: bytes | None) -> Child:
    """Fork a child that will exec ``program`` once released; returns at once.
    ``spec`` has passed :func:`check_launchable`."""
    go_read, go_write = os.pipe2(os.O_CLOEXEC)
    report_read, report_write = os.pipe2(os.O_CLOEXEC)
    set_up, setting_up = os.pipe2(os.O_CLOEXEC)
    # With a terminal the command is a grandchild, its pid told on this pipe.
    told, telling = os.pipe2(os.O_CLOEXEC) if spec.terminal else (-1, -1)
    env = dict(spec.env) if spec.env is not None else dict(os.environ)
    # Until the child has dropped the tracer's signal handlers, a signal must not run
    # one there: it would write to the tracer's wakeup fd (a SIGTERM for the command
    # would stop the daemon) and be lost for the command.
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, signal.valid_signals())
    try:
        pid = os.fork()
        if pid == 0:
            pipes = (go_read, report_write, setting_up, telling)
            _child(spec, program, env, pipes, seccomp_program)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
    for fd in (go_read, report_write, setting_up, telling):
        if fd >= 0:
            os.close(fd)
    if told >= 0:
        pid = _command_pid(told, pid)
    if seccomp_program is None:  # full mode: seize it set up (the module's facts)
        # poll, not select: a daemon with many sessions has fds above select's 1024.
        waiting = select.poll()
        waiting.register(set_up, select.POLLIN)
        waiting.poll(SETUP_WAIT_S * 1000)
    os.close(set_up)
    return Child(pid, spec.argv[0], go_write, report_read)


def _command_pid(told: int, leader: int) -> int:
    """The command's pid, as its session's leader tells it; the leader's own if it
    could not fork (it then reports why, as the command would)."""
    try:
        data = os.read(told, _PID.size)
    finally:
        os.close(told)
    return _PID.unpack(data)[0] if len(data) == _PID.size else leader


def _child(
    spec: LaunchSpec,
    program: str,
    env: dict[str, str],
    pipes: tuple[int, int, int, int],
    seccomp_program: bytes | None,
) -> None:
    """Runs in the forked child and never returns."""
    go_fd, report_fd, setting_up, telling = pipes
    stage = Stage.STDIO
    try:
        go_fd, report_fd, setting_up, telling = _arrange_fds(spec, pipes)
        if spec.new_process_group:
            # A session of its own, not only a group: no controlling terminal, so
            # /dev/tty cannot reach the daemon's terminal (nor TIOCSTI type into it).
            os.setsid()
            if spec.terminal:  # but one of its own: /dev/tty, ^C, job control
                fcntl.ioctl(0, termios.TIOCSCTTY, 0)
        stage = Stage.CREDENTIALS
        if spec.credentials is not None:
            _become(spec.credentials)  # before chdir: the cwd must be the user's to enter
        if spec.nice is not None:
            _renice(spec.nice)  # as the user: never a priority it could not take itself
        if spec.terminal:
            stage = Stage.SESSION
            _lead_session(telling)  # returns in the command's process only
        stage = Stage.CHDIR
        if spec.cwd is not None:
            os.chdir(spec.cwd)
        if spec.umask is not None:
            os.umask(spec.umask)
        if spec.credentials is not None:
            stage = Stage.EXEC
            program = resolve_program(program, env)  # as the user, in its cwd: Engine.launch
        _reset_signals(spec.ignored_signals)
        stage = Stage.NO_NEW_PRIVS
        private = _set_no_new_privs_if_owed(spec, seccomp_program)
        os.close(setting_up)  # the parent may seize us now
        setting_up = -1
        if os.read(go_fd, 1) != _GO:
            os._exit(EXIT_NOT_FOUND)  # the tracer went away before seizing us: nothing ran
        stage = Stage.SECCOMP
        _install(seccomp_program, private)
        stage = Stage.EXEC
        os.execve(program, spec.argv, env)
    except (OSError, SpawnError) as error:
        _report(report_fd, stage, error.errno or errno_module.EIO, go_fd, setting_up)
    except BaseException:
        _report(report_fd, stage, errno_module.EIO, go_fd, setting_up)
    os._exit(EXIT_NOT_FOUND)


def _lead_session(telling: int) -> None:
    """Fork the command into a foreground group of its own below us, the session's
    leader (see the module's facts), and return in it; here, wait for its end."""
    try:
        pid = os.fork()
    except OSError:
        os.close(telling)  # no pid told: the parent seizes us, and we report why
        raise
    if pid == 0:
        os.close(telling)
        os.setpgid(0, 0)
        os.tcsetpgrp(0, os.getpid())  # SIGTTOU is blocked: no stop for asking
        return
    try:
        os.write(telling, _PID.pack(pid))
        _close_all_but()  # the terminal stays ours as its session's, not as an fd
        with contextlib.suppress(OSError), open("/proc/self/comm", "w") as comm:
            comm.write("traced-session")
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)  # its stops are its tracer's business
    finally:
        os._exit(0)


def _report(fd: int, stage: Stage, err: int, go_fd: int = -1, setting_up: int = -1) -> None:
    """Report the failure, wait to be released (EOF once already released, or once
    the tracer is gone), exit."""
    try:
        os.write(fd, _FAILURE.pack(stage, err))
        if setting_up >= 0:
            with contextlib.suppress(OSError):  # no setup left to wait for
                os.close(setting_up)
        if go_fd >= 0:
            os.read(go_fd, 1)
    finally:
        os._exit(exit_status_for_exec_error(err))


def _arrange_fds(spec: LaunchSpec, pipes: tuple[int, ...]) -> tuple[int, ...]:
    """Give the command its fds at their numbers, close every other; the pipes, moved
    above every target (still close-on-exec), are returned (-1, no pipe, stays -1)."""
    wanted = {n: fd for n, fd in enumerate(spec.stdio) if fd != CLOSED}
    wanted.update(spec.inherited)
    top = max(wanted, default=2) + 1
    moved = tuple(fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, top) if fd >= 0 else -1 for fd in pipes)
    # Copies first, then dup2: a source may sit on another's target.
    copies = {number: fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, top) for number, fd in wanted.items()}
    for number, copy in copies.items():
        os.dup2(copy, number)  # inheritable: the flag is cleared on ``number``
    _close_all_but(*wanted, *(fd for fd in moved if fd >= 0))
    return moved


def _renice(nice: int) -> None:
    # Lowering nice below ours needs privilege; then the command keeps ours.
    with contextlib.suppress(OSError):
        os.setpriority(os.PRIO_PROCESS, 0, nice)


def _set_no_new_privs_if_owed(spec: LaunchSpec, seccomp_program: bytes | None) -> bool:
    """Set no_new_privs where it is owed: a command run as another user (a privileged
    tracer's client), or a filter to install by a process that cannot without it (not
    root); whether it was."""
    owed = spec.credentials is not None or (seccomp_program is not None and os.geteuid() != 0)
    if owed:
        set_no_new_privs()
    return owed


def _install(program: bytes | None, private: bool) -> None:
    """The filter, if any; root without CAP_SYS_ADMIN (a container's) needs no_new_privs."""
    if program is None:
        return
    try:
        install_filter(program)
    except SeccompError as error:
        if private or error.errno != errno_module.EACCES:
            raise
        set_no_new_privs()
        install_filter(program)


def _become(credentials: Credentials) -> None:
    os.setgroups(list(credentials.groups))
    os.setgid(credentials.gid)
    os.setuid(credentials.uid)


def _close_all_but(*keep: int) -> None:
    low = 0
    for fd in sorted(keep):
        if low < fd:  # closerange(0, 0) would be close_range(0, ~0): every fd
            os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, 1 << 20)


def _reset_signals(ignored: frozenset[int]) -> None:
    """No wakeup fd; every disposition SIG_DFL but ``ignored``; no signal blocked.

    Every signal has stayed blocked since before the fork, so until here none could
    run a tracer's handler in the child."""
    signal.set_wakeup_fd(-1)
    for sig in range(1, signal.SIGRTMAX + 1):
        if sig not in _UNSETTABLE:
            with contextlib.suppress(OSError, ValueError):  # glibc's own (32, 33)
                signal.signal(sig, signal.SIG_IGN if sig in ignored else signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
