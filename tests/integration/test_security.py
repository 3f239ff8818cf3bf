"""The daemon's security claims, each proven against a real root daemon and a real
client of another uid (``nobody``); docs/security.md cites these tests claim by claim.

What is proven here:

* the socket: its folder is 0700 and the socket 0600, on the default path and with
  ``--socket``, even when the daemon runs under umask 000; folders it creates are
  not writable by others, and it refuses a folder another uid owns;
* who may connect: SO_PEERCRED is checked on every connection; another uid gets one
  structured ``permission_denied`` line naming its uid; ``allow_uids`` admits exactly
  the uids it lists; a client sees none of another uid's sessions;
* what a launched command gets: the client's uid, gid and supplementary groups (as
  they were when it connected, even once its pid is another process's), no
  capability, no_new_privs; the client's environment, or the daemon's own only for
  a client of the daemon's uid, never systemd's variables; no descriptor of the
  daemon (fds 0, 1 and 2 only); no controlling terminal; a signal sent right after
  its launch, and never to the daemon; and it dies with the daemon;
* attach: another uid may attach only to processes ptrace would let it trace, and an
  attached process that execs into other credentials is let go.

These tests need root (they switch to other uids).  The machinery (a socket-activated
root daemon, a client of ``nobody``, programs in world-reachable folders) is
other_uid.py's, with the kernel facts it relies on.

Kernel facts these tests rely on:

* A process that exec'd a file it may not read is not dumpable, and ptrace(2) refuses
  it to an unprivileged tracer.  The files in /proc/PID are then owned by root, but
  the folder /proc/PID itself keeps the process's effective uid (proc(5)).
* A set-user-ID root program runs with effective and saved uid 0.
* With no_new_privs set, execve(2) ignores set-user-ID bits.
* open("/dev/tty") gives the caller's controlling terminal, whatever that terminal's
  own mode; TIOCSTI pushes bytes into its input queue (tty_ioctl(4)).
* Writing N to /proc/sys/kernel/ns_last_pid makes N+1 the next pid the kernel hands
  out (unless another process forks in between: the test retries).
* PTRACE_O_EXITKILL sends SIGKILL to every tracee when its tracer exits.
* A forked child keeps its parent's signal handlers, and Python's write the signal
  number to the parent's wakeup fd, until it execs.
"""

from __future__ import annotations

import errno
import json
import os
import pty
import stat
import subprocess
import sys
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.integration.daemon_fixture import (
    Daemon,
    Listen,
    Peer,
    end_of,
    running_daemon,
    session_of,
    wait_until,
)
from tests.integration.other_uid import (
    DAEMON_ENV,
    NOBODY,
    Processes,
    Programs,
    activated_daemon,
    connect_as,
    nobody_peer,
    settings,
)
from tests.integration.procscan import (
    alive,
    children,
    daemon_tracers,
    fd_targets,
    parse_status,
    status_fields,
)
from traced.daemon.config import default_socket_path
from traced.daemon.systemd import SYSTEMD_VARIABLES

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("hang_guard")]

OTHER_UID = 4321  # a uid no account has: the kernel needs none
CLIENT_GROUPS = (4242, 4343)  # supplementary groups the nobody client holds


@pytest.fixture(autouse=True)
def root() -> None:
    if os.geteuid() != 0:
        pytest.fail("the security tests need root: they run clients and targets as other uids")


# --- a command run through the daemon, and what it reports ----------------------------


@dataclass(frozen=True)
class Run:
    """A command's whole run through the daemon: its session_end and its output."""

    end: dict[str, Any]
    stdout: str
    stderr: str


def run_through(peer: Peer, argv: list[str], **fields: Any) -> Run:
    """Launch ``argv`` with stdout and stderr on pipes, wait for its session_end."""
    null = os.open(os.devnull, os.O_RDONLY)
    out_read, out_write = os.pipe()
    err_read, err_write = os.pipe()
    try:
        request = peer.send("launch", (null, out_write, err_write), argv=argv, stdio=True, **fields)
    finally:
        for fd in (null, out_write, err_write):
            os.close(fd)
    end = end_of(peer, session_of(peer.answer(request)))
    with open(out_read, "rb") as out, open(err_read, "rb") as err:
        return Run(end, out.read().decode(), err.read().decode())


def stat_fields(text: str) -> list[str]:
    """/proc/PID/stat's fields after the command name: [state, ppid, pgrp, session, tty_nr, ...]."""
    return text.rpartition(")")[2].split()


def proc_status(pid: int) -> dict[str, str]:
    """/proc/PID/status of a process the test holds: it must be there."""
    fields = status_fields(pid)
    assert fields is not None, f"pid {pid} is gone"
    return fields


def mode_of(path: Path) -> str:
    return oct(stat.S_IMODE(path.lstat().st_mode))


# --- the socket: folder 0700, socket 0600 --------------------------------------------


def self_bound_daemon(
    world: Path,
    env: dict[str, str],
    path: Path,
    *,
    listen: Listen = Listen.OPTION,
    allow_uids: tuple[int, ...] = (),
    ready: bool = True,
) -> AbstractContextManager[Daemon]:
    """``traced --socket PATH daemon`` (or, ``Listen.DEFAULT``, ``traced daemon`` whose
    default path is ``path``) binding its own socket, started under umask 000."""
    return running_daemon(
        world,
        config=settings(allow_uids),
        listen=listen,
        socket_path=path,
        env=env,
        umask=0,
        ready=ready,
    )


def start_refused(world: Path, path: Path) -> tuple[int | None, str]:
    """Start a daemon meant to refuse ``path``: its exit status (None: it listens
    instead) and what it said, once it has either exited or bound the socket."""
    with self_bound_daemon(world, DAEMON_ENV, path, ready=False) as daemon:
        process = daemon.process
        wait_until(lambda: path.exists() or process.poll() is not None, "the daemon to decide")
        return process.poll(), daemon.output()


def test_default_socket_is_a_0600_socket_in_a_0700_folder_even_under_umask_000(
    world: Path,
) -> None:
    runtime = world / "xdg"
    (runtime / "traced").mkdir(parents=True)
    (runtime / "traced").chmod(0o777)  # a lax leftover the daemon must tighten
    env = {**DAEMON_ENV, "XDG_RUNTIME_DIR": str(runtime)}
    path = default_socket_path(env, os.getuid())
    assert path == runtime / "traced" / "traced.sock"
    with self_bound_daemon(world, env, path, listen=Listen.DEFAULT):
        modes = (mode_of(path.parent), mode_of(path))
        print(f"default path {path} under umask 000: folder {modes[0]}, socket {modes[1]}")
        assert modes == ("0o700", "0o600"), modes
        assert (path.parent.stat().st_uid, path.stat().st_uid) == (0, 0)


def test_socket_option_gets_a_0600_socket_in_a_0700_folder_under_umask_000(world: Path) -> None:
    path = world / "run" / "traced.sock"
    with self_bound_daemon(world, DAEMON_ENV, path):
        modes = (mode_of(path.parent), mode_of(path))
    print(f"--socket {path} under umask 000: folder {modes[0]}, socket {modes[1]}")
    assert modes == ("0o700", "0o600"), modes


def test_folders_the_daemon_creates_for_its_socket_are_not_writable_by_others(
    world: Path,
) -> None:
    # Whoever may write to a folder on the socket's path may rename the folder below
    # it and put their own socket in its place.
    path = world / "a" / "b" / "traced.sock"
    with self_bound_daemon(world, DAEMON_ENV, path):
        created = {str(folder): mode_of(folder) for folder in (world / "a", world / "a" / "b")}
    print(f"folders created under umask 000: {created}")
    writable = [f for f in created if Path(f).stat().st_mode & (stat.S_IWGRP | stat.S_IWOTH)]
    assert not writable, f"others may write to {writable}: {created}"


def test_a_socket_folder_another_uid_owns_is_refused(world: Path) -> None:
    # A 0700 folder protects nothing if someone else owns it: they may replace the
    # socket in it and impersonate the daemon to every client.
    theirs = world / "theirs"
    theirs.mkdir(mode=0o700)
    os.chown(theirs, NOBODY.pw_uid, NOBODY.pw_gid)
    path = theirs / "traced.sock"
    returncode, output = start_refused(world, path)
    print(f"daemon asked to listen in a folder uid {NOBODY.pw_uid} owns: {output.strip()!r}")
    assert returncode is not None, (
        f"the daemon listens in {theirs}, owned by uid {NOBODY.pw_uid}: that uid can "
        "replace the socket and impersonate the daemon"
    )
    assert returncode != 0 and str(theirs) in output, output


def test_a_shared_sticky_folder_is_refused_and_left_as_it_was(world: Path) -> None:
    # `traced daemon --socket /tmp/x.sock` as root once made /tmp 0700, locking every
    # other user out of it: a shared folder is no folder of the daemon's own.
    shared = world / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    path = shared / "traced.sock"
    returncode, output = start_refused(world, path)
    print(f"daemon asked to listen in a sticky 1777 folder: {output.strip()!r}")
    assert returncode is not None and returncode != 0, output
    assert "shared folder" in output and str(shared) in output, output
    assert mode_of(shared) == "0o1777", mode_of(shared)
    assert not path.exists()


# --- who may connect -----------------------------------------------------------------


def test_file_modes_keep_another_uid_from_reaching_a_self_bound_socket(
    world: Path, processes: Processes, programs_for_anyone: Programs
) -> None:
    # Even a uid in allow_uids: the daemon's own socket is 0600 in a 0700 folder, so
    # other uids need a socket whose mode the service manager widened (activated_daemon).
    path = world / "run" / "traced.sock"
    with (
        self_bound_daemon(world, DAEMON_ENV, path, allow_uids=(NOBODY.pw_uid,)),
        pytest.raises(PermissionError) as refused,
    ):
        connect_as(processes, programs_for_anyone, path, uid=NOBODY.pw_uid, gid=NOBODY.pw_gid)
    print(f"uid {NOBODY.pw_uid} connecting to {path}: {refused.value}")
    assert refused.value.errno == errno.EACCES


def test_peer_credentials_refuse_another_uid_with_one_structured_error(
    world: Path, processes: Processes, programs_for_anyone: Programs
) -> None:
    with activated_daemon(world) as daemon:
        assert Peer(daemon.socket).hello["type"] == "hello"  # root is welcome
        sock, _ = connect_as(
            processes, programs_for_anyone, daemon.socket, uid=NOBODY.pw_uid, gid=NOBODY.pw_gid
        )
        with sock, sock.makefile("rb") as lines:
            received = lines.readlines()  # until the daemon closes the connection
    print(f"uid {NOBODY.pw_uid} on a 0666 socket gets: {received}")
    assert len(received) == 1, received
    refusal = json.loads(received[0])
    assert (refusal["type"], refusal["id"], refusal["code"]) == ("error", None, "permission_denied")
    assert f"uid {NOBODY.pw_uid}" in refusal["message"], refusal


def test_allow_uids_admits_exactly_the_uids_it_lists(
    world: Path, processes: Processes, programs_for_anyone: Programs
) -> None:
    with activated_daemon(world, allow_uids=(NOBODY.pw_uid,)) as daemon:
        nobody, _ = nobody_peer(processes, programs_for_anyone, daemon)
        listed = nobody.request("list")
        other, _ = connect_as(
            processes, programs_for_anyone, daemon.socket, uid=OTHER_UID, gid=OTHER_UID
        )
        with other, other.makefile("rb") as lines:
            refused = lines.readlines()
    print(
        f"allow_uids = [{NOBODY.pw_uid}]: it gets a {nobody.hello['type']}; "
        f"uid {OTHER_UID} gets {refused}"
    )
    assert nobody.hello["type"] == "hello" and listed["type"] == "response", listed
    assert len(refused) == 1 and b'"permission_denied"' in refused[0], refused
    assert f"uid {OTHER_UID}".encode() in refused[0]


def test_a_client_sees_none_of_another_uids_sessions(
    world: Path, processes: Processes, programs_for_anyone: Programs
) -> None:
    with activated_daemon(world, allow_uids=(NOBODY.pw_uid,)) as daemon:
        root = Peer(daemon.socket)
        hidden = root.launch(["sleep", "60"], trace="none", detach=True)["result"]["session"]
        nobody, _ = nobody_peer(processes, programs_for_anyone, daemon)
        answers = {
            "list": nobody.request("list"),
            "stats": nobody.request("stats"),
            "stats session": nobody.request("stats", session=hidden),
            "signal": nobody.request("signal", session=hidden, signal="KILL"),
            "detach": nobody.request("detach", session=hidden),
            "subscribe session": nobody.request("subscribe", session=hidden),
        }
        assert nobody.request("subscribe", policy="block")["type"] == "response"
        roots = run_through(root, ["sh", "-c", "exit 3"], trace="execve").end["session"]
        # Root's session ended before this launch: anything of it would come first.
        own = nobody.launch(["true"], trace="execve")["result"]["session"]
        received = nobody.messages_until_end(own)  # the launch's own stream ends
        received += nobody.messages_until_end(own)  # the subscription's copy ends
        seen = {m.get("session") for m in received} - {None}
        everything = root.request("list")["result"]["sessions"]
    print(f"uid {NOBODY.pw_uid} asking about root's session: {answers}")
    assert answers["list"]["result"] == {"sessions": []}
    assert answers["stats"]["result"]["sessions"] == {}
    for name in ("stats session", "signal", "detach", "subscribe session"):
        assert answers[name]["code"] == "not_found", (name, answers[name])
        assert f"visible to uid {NOBODY.pw_uid}" in answers[name]["message"], answers[name]
    assert seen == {own}, f"a subscriber to everything saw sessions {seen - {own}} of root"
    assert hidden in {s["session"] for s in everything} and roots != own  # root sees all


# --- what a launched command gets -----------------------------------------------------


def test_a_root_daemon_runs_another_uids_command_with_its_uid_gid_and_groups_only(
    world: Path, processes: Processes, programs_for_anyone: Programs
) -> None:
    secret = world / "root-only"
    secret.write_text("root's\n")
    secret.chmod(0o600)
    out = world / "out"
    out.mkdir(mode=0o777)
    out.chmod(0o777)
    created = out / "created-by-the-command"
    script = 'cat /proc/self/status; cat "$1"; : > "$2"'
    with activated_daemon(world, allow_uids=(NOBODY.pw_uid,)) as daemon:
        nobody, _ = nobody_peer(processes, programs_for_anyone, daemon, CLIENT_GROUPS)
        argv = ["/bin/sh", "-c", script, "sh", str(secret), str(created)]
        run = run_through(nobody, argv, trace="none")
    status = parse_status(run.stdout)
    figures = {k: status.get(k) for k in ("Uid", "Gid", "Groups", "CapPrm", "CapEff", "NoNewPrivs")}
    print(f"uid {NOBODY.pw_uid} with groups {CLIENT_GROUPS}: its command has {figures}")
    print(f"reading a 0600 root file: {run.stderr.strip()!r}")
    uid, gid = str(NOBODY.pw_uid), str(NOBODY.pw_gid)
    assert status["Uid"].split() == [uid] * 4 and status["Gid"].split() == [gid] * 4, figures
    assert sorted(int(g) for g in status["Groups"].split()) == sorted(CLIENT_GROUPS), figures
    assert int(status["CapPrm"], 16) == int(status["CapEff"], 16) == 0, figures
    assert int(status["CapAmb"], 16) == 0 and status["NoNewPrivs"] == "1", figures
    assert "Permission denied" in run.stderr and "root's" not in run.stdout, run
    owner = created.stat()
    assert (owner.st_uid, owner.st_gid) == (NOBODY.pw_uid, NOBODY.pw_gid)


def test_set_user_id_programs_do_not_raise_a_launched_commands_privileges(
    world: Path, processes: Processes, programs_for_anyone: Programs
) -> None:
    # The control: run directly by nobody, the copy of id does run with euid 0 (the
    # folder is not mounted nosuid), so the daemon's no_new_privs is what stops it.
    direct = subprocess.run(
        [str(programs_for_anyone.setuid_id)],
        user=NOBODY.pw_uid,
        group=NOBODY.pw_gid,
        capture_output=True,
        text=True,
    )
    assert "euid=0" in direct.stdout, direct
    with activated_daemon(world, allow_uids=(NOBODY.pw_uid,)) as daemon:
        nobody, _ = nobody_peer(processes, programs_for_anyone, daemon)
        run = run_through(nobody, [str(programs_for_anyone.setuid_id)], trace="none")
    print(f"set-user-ID root id, directly: {direct.stdout.strip()!r}")
    print(f"the same through the daemon: {run.stdout.strip()!r}")
    assert run.end["status"] == 0 and f"uid={NOBODY.pw_uid}" in run.stdout, run
    assert "euid=0" not in run.stdout, run


def place_at_pid(processes: Processes, pid: int, argv: list[str], **options: Any) -> None:
    """Start a process whose pid is ``pid`` (which must be free), by way of ns_last_pid."""
    for _ in range(50):
        Path("/proc/sys/kernel/ns_last_pid").write_text(str(pid - 1))
        process = processes.start(argv, **options)
        if process.pid == pid:
            return
        process.kill()  # someone else forked in between: try again
    pytest.fail(f"could not start a process at pid {pid}: other processes kept taking it")


def test_a_commands_groups_and_nice_are_its_clients_even_after_the_clients_pid_is_reused(
    world: Path, processes: Processes, programs_for_anyone: Programs
) -> None:
    # A client connects, hands its connection on and exits; its pid goes to a root
    # process with group 5151 at nice +5.  The command must still get the client's
    # groups and nice, not that process's.  (+5, not -5: nobody's command could not
    # take a negative nice anyway, so only a nice above the client's can show a leak.)
    impostor_nice = 5
    secret = world / "group-5151-only"
    secret.write_text("group 5151's\n")
    os.chown(secret, 0, 5151)
    secret.chmod(0o640)
    script = 'grep -E "^(Uid|Groups):" /proc/self/status; cat /proc/self/stat; cat "$1"'
    with activated_daemon(world, allow_uids=(NOBODY.pw_uid,)) as daemon:
        nobody, holder = nobody_peer(processes, programs_for_anyone, daemon, CLIENT_GROUPS)
        client_nice = os.getpriority(os.PRIO_PROCESS, holder.pid)
        holder.kill()
        holder.wait()
        place_at_pid(processes, holder.pid, ["sleep", "60"], extra_groups=[5151])
        os.setpriority(os.PRIO_PROCESS, holder.pid, impostor_nice)
        run = run_through(nobody, ["/bin/sh", "-c", script, "sh", str(secret)], trace="none")
    status = parse_status(run.stdout)
    nice = int(stat_fields(run.stdout.splitlines()[2])[16])
    print(
        f"client pid {holder.pid} (groups {CLIENT_GROUPS}, nice {client_nice}) is now a root "
        f"process with group 5151 at nice {impostor_nice}; the client's command got Groups "
        f"{status.get('Groups')!r}, nice {nice}, {run.stderr.strip()!r}"
    )
    assert client_nice != impostor_nice  # else the nice half proves nothing
    assert sorted(int(g) for g in status["Groups"].split()) == sorted(CLIENT_GROUPS), run
    assert "group 5151's" not in run.stdout, run
    assert nice == client_nice, run


def env_of(run: Run) -> dict[str, str]:
    """`env -0`'s output as a dict."""
    pairs = (entry.split("=", 1) for entry in run.stdout.split("\0") if entry)
    return dict((name, value) for name, value in pairs)


def test_a_command_gets_exactly_the_environment_its_client_sends_less_systemds(
    world: Path,
) -> None:
    mine = {
        "PATH": "/usr/bin:/bin",
        "MINE": "a value\nover two lines",
        "LD_LIBRARY_PATH": "/nonexistent",  # the client's own process: its own business
        **{name: "from the client" for name in SYSTEMD_VARIABLES},
    }
    with activated_daemon(world) as daemon:
        run = run_through(Peer(daemon.socket), ["env", "-0"], env=mine, trace="none")
    got = env_of(run)
    print(f"client sent {sorted(mine)}; the command has {sorted(got)}")
    assert got == {k: v for k, v in mine.items() if k not in SYSTEMD_VARIABLES}, got


def test_without_an_environment_a_same_uid_command_gets_the_daemons_less_systemds(
    world: Path,
) -> None:
    with activated_daemon(world) as daemon:
        run = run_through(Peer(daemon.socket), ["env", "-0"], trace="none")
    got = env_of(run)
    expected = {k: v for k, v in DAEMON_ENV.items() if k not in SYSTEMD_VARIABLES}
    print(
        f"daemon started with {sorted(DAEMON_ENV)} (+ LISTEN_FDS, LISTEN_PID); "
        f"its command has {sorted(got)}"
    )
    assert got == expected, got


def test_another_uids_command_never_gets_the_daemons_environment(
    world: Path, processes: Processes, programs_for_anyone: Programs
) -> None:
    with activated_daemon(world, allow_uids=(NOBODY.pw_uid,)) as daemon:
        nobody, _ = nobody_peer(processes, programs_for_anyone, daemon)
        sent = {"PATH": "/usr/bin:/bin", "MINE": "1"}
        with_env = env_of(run_through(nobody, ["env", "-0"], env=sent, trace="none"))
        without = env_of(run_through(nobody, ["/usr/bin/env", "-0"], trace="none"))
    leaked = sorted(set(without) & (set(DAEMON_ENV) - {"PATH", "LC_ALL"}))
    print(f"uid {NOBODY.pw_uid}, env sent: {with_env}; no env sent: {sorted(without)}")
    assert with_env == sent
    assert not leaked, f"a root daemon gave uid {NOBODY.pw_uid}'s command its own {leaked}"


def probe_report(text: str) -> dict[int, str]:
    return {int(fd): target for fd, target in (line.split(" ", 1) for line in text.splitlines())}


def test_no_descriptor_of_the_daemon_reaches_a_launched_command(
    world: Path, processes: Processes, programs_for_anyone: Programs
) -> None:
    # The daemon holds what a busy daemon holds: its systemd socket, an fd it inherited
    # without FD_CLOEXEC, connections (one mid-line, holding a client's fd), running
    # sessions.  Each command must hold 0, 1 and 2, and only what the client gave.
    stray_file = world / "inherited-by-the-daemon"
    stray_file.write_text("")
    stray = os.open(stray_file, os.O_RDONLY)  # inheritable, as a sloppy parent leaves it
    client_file = world / "sent-by-a-client"
    client_file.write_text("")
    out = world / "out"
    out.mkdir(mode=0o777)
    out.chmod(0o777)
    try:
        with activated_daemon(world, allow_uids=(NOBODY.pw_uid,), extra_fds=(stray,)) as daemon:
            reports, held = probe_a_busy_daemon(
                daemon, processes, programs_for_anyone, client_file, out
            )
    finally:
        os.close(stray)
    print(f"the daemon held {len(held)} fds; the commands held: {reports}")
    assert str(stray_file) in held and str(client_file) in held, held  # there was bait
    for name, report in reports.items():
        assert sorted(report) == [0, 1, 2], (name, report)
        assert not {str(stray_file), str(client_file)} & set(report.values()), (name, report)
        given = ["/dev/null", "pipe:", "pipe:"] if "stdio passed" in name else ["/dev/null"] * 3
        assert all(report[fd].startswith(given[fd]) for fd in (0, 1, 2)), (name, report)


def probe_a_busy_daemon(
    daemon: Daemon, processes: Processes, programs: Programs, client_file: Path, out: Path
) -> tuple[dict[str, dict[int, str]], list[str]]:
    idle = [Peer(daemon.socket) for _ in range(3)]
    with open(client_file) as sent:
        idle[0].send_raw(b'{"id": 1, "op": "li', (sent.fileno(),))  # a line not yet ended
    assert Peer(daemon.socket).request("subscribe")["type"] == "response"
    busy = Peer(daemon.socket)
    busy.launch(["sleep", "60"], trace="none")
    busy.launch(["sleep", "60"], trace="none", detach=True)
    nobody, _ = nobody_peer(processes, programs, daemon)
    wait_until(lambda: str(client_file) in fd_targets(daemon.process.pid), "the bait")
    held = fd_targets(daemon.process.pid)
    probe = str(programs.fdprobe)
    with_stdio = run_through(busy, [probe], trace="none")
    as_nobody = run_through(nobody, [probe], trace="none")
    quiet = busy.answer(busy.send("launch", argv=[probe, str(out / "report")], trace="none"))
    busy.messages_until_end(quiet["result"]["session"])
    pipes = {
        "root, stdio passed": probe_report(with_stdio.stdout),
        "nobody, stdio passed": probe_report(as_nobody.stdout),
        "root, no stdio": probe_report((out / "report").read_text()),
    }
    return pipes, held


def test_a_launched_command_has_no_controlling_terminal_even_when_the_daemon_has_one(
    world: Path, processes: Processes, programs_for_anyone: Programs
) -> None:
    # A root daemon started by hand in a terminal: through /dev/tty, another uid's
    # command could write to that terminal and push keystrokes into it (TIOCSTI).
    master, slave = pty.openpty()
    try:
        with activated_daemon(world, allow_uids=(NOBODY.pw_uid,), tty=slave) as daemon:
            nobody, _ = nobody_peer(processes, programs_for_anyone, daemon)
            daemon_tty = stat_fields(Path(f"/proc/{daemon.process.pid}/stat").read_text())[4]
            script = "cat /proc/self/stat; echo INJECTED > /dev/tty"
            run = run_through(nobody, ["/bin/sh", "-c", script], trace="none")
            os.set_blocking(master, False)
            try:
                reached = os.read(master, 4096)  # the write, if any, is done by session_end
            except BlockingIOError:
                reached = b""
    finally:
        os.close(master)
        os.close(slave)
    command_tty = stat_fields(run.stdout)[4]
    print(f"daemon's tty_nr {daemon_tty}; its command's {command_tty}; /dev/tty: {run.stderr!r}")
    assert daemon_tty != "0"  # the daemon really has a controlling terminal
    assert command_tty == "0", f"the command has the daemon's terminal (tty_nr {command_tty})"
    assert reached == b"", f"uid {NOBODY.pw_uid}'s command wrote {reached!r} to root's terminal"


def test_a_daemon_that_dies_takes_its_launched_commands_with_it(world: Path) -> None:
    # A launched command's filter sends syscalls to a tracer; with the daemon gone
    # (SIGKILL: it cannot end them itself) no command of it may run on untraced.
    with activated_daemon(world) as daemon:
        peer = Peer(daemon.socket)
        script = "sleep 60 & sleep 60 & wait"
        pid = peer.launch(["sh", "-c", script], trace="none", detach=True)["result"]["pid"]
        wait_until(lambda: len(children(pid)) == 2, "sh to start both sleeps")
        tree = [pid, *children(pid)]
        daemon.process.kill()
        daemon.process.wait()
        wait_until(lambda: not any(alive(p) for p in tree), f"{tree} to die with the daemon")
    print(f"daemon SIGKILLed: its launched tree {tree} died with it")


def test_another_uid_may_attach_only_to_what_ptrace_would_let_it_trace(
    world: Path, processes: Processes, programs_for_anyone: Programs
) -> None:
    as_nobody: dict[str, Any] = {"user": NOBODY.pw_uid, "group": NOBODY.pw_gid}
    targets = {
        "root's": processes.start(["sleep", "60"]),
        f"uid {OTHER_UID}'s": processes.start(["sleep", "60"], user=OTHER_UID, group=OTHER_UID),
        "set-user-ID root": processes.start(
            [str(programs_for_anyone.setuid_sleep), "60"], **as_nobody
        ),
        "not dumpable": processes.start(
            [str(programs_for_anyone.unreadable_sleep), "60"], **as_nobody
        ),
    }
    own = processes.start(["sleep", "60"], **as_nobody)
    uid = str(NOBODY.pw_uid)
    # What makes the last two untraceable although they are nobody's own processes:
    assert proc_status(targets["set-user-ID root"].pid)["Uid"].split() == [uid, "0", "0", "0"]
    undumpable = targets["not dumpable"].pid
    assert proc_status(undumpable)["Uid"].split() == [uid] * 4
    assert Path(f"/proc/{undumpable}/stat").stat().st_uid == 0  # /proc/PID itself stays its
    with activated_daemon(world, allow_uids=(NOBODY.pw_uid,)) as daemon:
        nobody, _ = nobody_peer(processes, programs_for_anyone, daemon)
        answers = {
            name: nobody.request("attach", pid=target.pid, trace="none")
            for name, target in targets.items()
        }
        mine = nobody.request("attach", pid=own.pid, trace="none", subscribe=False)
        own_tracer = proc_status(own.pid)["TracerPid"]
        tracers = {name: proc_status(target.pid)["TracerPid"] for name, target in targets.items()}
        daemon_side = {str(pid) for pid in daemon_tracers(daemon.process.pid)}
        assert nobody.request("detach", session=mine["result"]["session"])["type"] == "response"
    outcome = {name: answer.get("code", answer["type"]) for name, answer in answers.items()}
    for name, answer in answers.items():
        print(f"uid {uid} attaching to a {name} process: {outcome[name]}: {answer.get('message')}")
    print(f"uid {uid} attaching to its own process: {mine}")
    let_through = [name for name, code in outcome.items() if code != "permission_denied"]
    assert not let_through, f"uid {uid} may trace these: {let_through} ({answers})"
    for name, answer in answers.items():
        assert f"uid {uid}" in answer["message"] and str(targets[name].pid) in answer["message"]
    assert set(tracers.values()) == {"0"}, tracers  # not even seized for a moment
    assert mine["type"] == "response" and own_tracer in daemon_side, (mine, own_tracer)


def test_an_attached_process_that_execs_a_set_user_id_program_is_let_go(
    world: Path, processes: Processes, programs_for_anyone: Programs
) -> None:
    # The root daemon's CAP_SYS_PTRACE lets the set-user-ID bit act even while it
    # traces: at that exec the process stops being its client's to watch.
    setuid_sleep = programs_for_anyone.setuid_sleep
    own = processes.start(
        ["sh", "-c", f"read line; exec {setuid_sleep} 60"],
        stdin=subprocess.PIPE,
        user=NOBODY.pw_uid,
        group=NOBODY.pw_gid,
    )
    assert own.stdin is not None
    with activated_daemon(world, allow_uids=(NOBODY.pw_uid,)) as daemon:
        nobody, _ = nobody_peer(processes, programs_for_anyone, daemon)
        session = nobody.request("attach", pid=own.pid)["result"]["session"]
        own.stdin.write(b"go\n")
        own.stdin.flush()
        messages = [m for m in nobody.messages_until_end(session) if m.get("session") == session]
        wait_until(lambda: proc_status(own.pid)["TracerPid"] == "0", "the process to be let go")
    kinds = [m["type"] for m in messages]
    exec_at = kinds.index("exec")
    print(
        f"attached to its own sh: {kinds.count('syscall')} syscalls, then the exec of "
        f"{messages[exec_at]['path']}, then {kinds[exec_at + 1 :]}; now Uid "
        f"{proc_status(own.pid)['Uid']}"
    )
    assert any(m.get("name") == "read" for m in messages[:exec_at]), kinds  # it was traced
    assert kinds[exec_at + 1 :] == ["session_end"], kinds  # and nothing after the exec
    assert messages[-1]["status"] is None and own.poll() is None
    assert proc_status(own.pid)["Uid"].split()[1] == "0"  # the set-user-ID program runs on


def test_a_signal_right_after_a_launch_reaches_the_command_and_never_the_daemon(
    world: Path, processes: Processes, programs_for_anyone: Programs
) -> None:
    # The answer to launch comes at fork, before the command has its own process group
    # and while the forked child still has the daemon's signal handlers: a SIGTERM sent
    # at once must still end the command (not vanish, not be "not_found"), and never
    # reach the daemon's own handler (which would stop the daemon for everyone).
    rounds = 30
    outcomes: dict[str, int] = {}
    with activated_daemon(world, allow_uids=(NOBODY.pw_uid,)) as daemon:
        nobody, _ = nobody_peer(processes, programs_for_anyone, daemon)
        nobody.sock.settimeout(5)  # a command that ignored its SIGTERM would sleep 60 s
        for _ in range(rounds):
            session = nobody.launch(["sleep", "60"], trace="none")["result"]["session"]
            answer = nobody.request("signal", session=session, signal="TERM")
            try:
                ended = [
                    m for m in nobody.messages_until_end(session) if m["type"] == "session_end"
                ]
                fate = f"{answer.get('code', answer['type'])}, {ended[0]['signal']}"
            except TimeoutError:
                fate = f"{answer.get('code', answer['type'])}, still running"
                nobody.backlog = []
                nobody.file = nobody.sock.makefile("rb")  # a timed-out file reads no more
                nobody.request("signal", session=session, signal="KILL")
            outcomes[fate] = outcomes.get(fate, 0) + 1
            if fate != "response, SIGTERM":
                break
        served = Peer(daemon.socket).request("list")["type"]
        log = daemon.output()  # before the daemon is stopped on purpose
    print(f"{rounds} launches each signalled at once: {outcomes}; the daemon then: {served}")
    assert outcomes == {"response, SIGTERM": rounds}, outcomes
    assert "daemon stopping" not in log and served == "response", log


@pytest.mark.parametrize("follow", [[], ["-f"]], ids=["alone", "-f (the filter)"])
def test_roots_own_command_gets_no_no_new_privs_as_under_strace(follow: list[str]) -> None:
    """Root installs the filter with CAP_SYS_ADMIN: its own command (no other user's
    credentials to guard) runs without no_new_privs, so its set-user-ID programs work
    as they do under strace; another user's command keeps it (the tests above)."""
    if os.geteuid() != 0:
        pytest.skip("root's own command: the test runs as another user")
    argv = [sys.executable, "-m", "traced", "launch", "--no-daemon", *follow, "-o", os.devnull]
    done = subprocess.run(
        [*argv, "--", "grep", "NoNewPrivs", "/proc/self/status"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["NoNewPrivs:", "0"]
