"""A client that is not root traces what the kernel would let it trace itself, and not
one thing more, although the root daemon traces with CAP_SYS_PTRACE; docs/security.md
cites these tests (``P::``).

What is proven here, against a real root daemon and a real client of ``nobody``:

* attach checks every thread it seizes: in a root process with one thread of
  nobody's, nobody may trace that thread and sees none of the root thread's reads of
  a root-only file; the process itself (its root leader) is refused, as nobody's own
  ``strace -p`` is refused;
* an attached process that execs a file-capability program (which the root tracer's
  CAP_SYS_PTRACE lets gain its capabilities) is let go before that program runs, and
  the exec event says so; a launched command cannot gain them at all.

These tests need root (they switch to other uids); the machinery is other_uid.py's.

Kernel facts these tests rely on:

* setresuid and setresgid made as raw syscalls change the calling thread's
  credentials only; the process's dumpable flag, cleared by that change, is set again
  by PR_SET_DUMPABLE (tests/programs/dropped_thread.c).
* ptrace lets an unprivileged tracer seize a task whose real, effective and saved
  uids and gids are its own, which is dumpable and holds no capability, whatever the
  other threads of its process are (nobody's ``strace -p TID`` works, and
  ``strace -p PID`` of the root leader fails with EPERM).
* execve of a file with file capabilities raises the permitted and effective sets
  (CapPrm, CapEff) unless no_new_privs is set, or the tracer lacks the capabilities
  (then the kernel withholds them: nobody's ``strace -f`` sees the open fail).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.daemon_fixture import Peer, session_of
from tests.integration.other_uid import NOBODY, Processes, Programs, activated_daemon, nobody_peer
from tests.integration.procscan import daemon_tracers, status_fields
from tests.integration.tools import require_tool

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("hang_guard")]

SECRET = "TRACED-ROOT-ONLY-SECRET-7f3a"
CLIENT = {"user": NOBODY.pw_uid, "group": NOBODY.pw_gid}


@pytest.fixture(autouse=True)
def root() -> None:
    if os.geteuid() != 0:
        pytest.fail("these tests need root: they run clients and targets as other uids")


@pytest.fixture
def secret(world: Path) -> Path:
    """A file only root may read, in a folder every uid may search."""
    path = world / "secret"
    path.write_text(SECRET + "\n")
    path.chmod(0o600)
    return path


@pytest.fixture
def capread(world: Path, programs: dict[str, Path]) -> Iterator[Path]:
    """tests/programs/capread.c with cap_dac_read_search in its file capabilities."""
    setcap = require_tool("setcap", "it gives a test program file capabilities", "/usr/sbin/setcap")
    path = world / "capread"
    shutil.copy(programs["capread"], path)
    path.chmod(0o755)
    subprocess.run([setcap, "cap_dac_read_search+ep", str(path)], check=True)
    yield path


def leaks(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [m for m in messages if SECRET in json.dumps(m)]


def tracer_of(tid: int) -> str:
    fields = status_fields(tid)
    assert fields is not None, f"task {tid} is gone"
    return fields["TracerPid"]


def end_of_messages(peer: Peer, session: str) -> list[dict[str, Any]]:
    return [m for m in peer.messages_until_end(session) if m.get("session") == session]


def until_seen(peer: Peer, session: str, tid: int, calls: int) -> list[dict[str, Any]]:
    """Messages of ``session`` until ``calls`` syscall events of ``tid`` came."""
    seen: list[dict[str, Any]] = []
    while sum(m.get("type") == "syscall" and m.get("tid") == tid for m in seen) < calls:
        message = peer.read()
        if message.get("session") == session:
            seen.append(message)
    return seen


def test_another_uid_traces_only_the_threads_of_a_process_ptrace_would_let_it(
    world: Path,
    processes: Processes,
    programs_for_anyone: Programs,
    programs: dict[str, Path],
    secret: Path,
) -> None:
    uid, gid = NOBODY.pw_uid, NOBODY.pw_gid
    target = processes.start(
        [str(programs["dropped_thread"]), str(uid), str(gid), str(secret)], stdout=subprocess.PIPE
    )
    assert target.stdout is not None
    thread = int(target.stdout.readline())
    leader = target.pid
    assert status_fields(leader)["Uid"].split() == ["0"] * 4  # type: ignore[index]
    assert status_fields(thread)["Uid"].split() == [str(uid)] * 4  # type: ignore[index]
    with activated_daemon(world, allow_uids=(uid,)) as daemon:
        nobody, _ = nobody_peer(processes, programs_for_anyone, daemon)
        whole = nobody.request("attach", pid=leader, trace="openat,read")
        leader_tracer_then = tracer_of(leader)
        attached = nobody.request("attach", pid=thread, trace="openat,read")
        session = session_of(attached)
        seen = until_seen(nobody, session, thread, 20)  # about 100 ms of its loop
        tracers_seen = {"leader": tracer_of(leader), "thread": tracer_of(thread)}
        assert nobody.request("detach", session=session)["type"] == "response"
        seen += end_of_messages(nobody, session)
        tracers = {str(pid) for pid in daemon_tracers(daemon.process.pid)}
    tids = sorted({m["tid"] for m in seen if m["type"] == "syscall"})
    print(f"uid {uid} attaching to root's pid {leader}: {whole.get('message')}")
    print(f"uid {uid} attaching to its thread {thread}: {len(seen)} messages, from tids {tids}")
    assert (whole["type"], whole.get("code")) == ("error", "permission_denied"), whole
    assert leader_tracer_then == "0"  # refused before anything was seized
    assert not leaks(seen), leaks(seen)[:3]
    assert tids == [thread], tids
    assert tracers_seen["leader"] == "0" and tracers_seen["thread"] in tracers, tracers_seen


def test_an_attached_process_that_execs_a_file_capability_program_is_let_go_before_it_runs(
    world: Path,
    processes: Processes,
    programs_for_anyone: Programs,
    secret: Path,
    capread: Path,
) -> None:
    own = processes.start(
        ["sh", "-c", f"read line; exec {capread} {secret}"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        **CLIENT,
    )
    assert own.stdin is not None and own.stdout is not None
    with activated_daemon(world, allow_uids=(NOBODY.pw_uid,)) as daemon:
        nobody, _ = nobody_peer(processes, programs_for_anyone, daemon)
        session = session_of(nobody.request("attach", pid=own.pid, trace="openat,read,execve"))
        own.stdin.write(b"go\n")
        own.stdin.flush()
        messages = end_of_messages(nobody, session)
    printed = own.stdout.read().decode()
    kinds = [m["type"] for m in messages]
    exec_at = kinds.index("exec")
    print(f"attached to its own sh, which execs {capread.name}: {kinds}")
    print(f"the exec event: {messages[exec_at]}")
    assert not leaks(messages), leaks(messages)
    assert any(m.get("name") == "read" for m in messages[:exec_at]), kinds  # it was traced
    assert kinds[exec_at + 1 :] == ["session_end"], kinds  # nothing of the new program
    assert "cap_dac_read_search" in (messages[exec_at].get("detached") or ""), messages[exec_at]
    # Let go, it runs on as it would untraced: with its capabilities, reading the file.
    assert own.wait() == 0 and SECRET in printed


def test_a_launched_command_gains_no_file_capabilities(
    world: Path,
    processes: Processes,
    programs_for_anyone: Programs,
    secret: Path,
    capread: Path,
) -> None:
    # no_new_privs: the kernel withholds file capabilities at exec, so a launched
    # command never runs with more than its client has (and needs no let-go).
    with activated_daemon(world, allow_uids=(NOBODY.pw_uid,)) as daemon:
        nobody, _ = nobody_peer(processes, programs_for_anyone, daemon)
        answer = nobody.launch([str(capread), str(secret)], trace="openat,read")
        session = session_of(answer)
        messages = end_of_messages(nobody, session)
    opens = [m for m in messages if m.get("name") == "openat" and "secret" in json.dumps(m)]
    end = messages[-1]
    print(f"uid {NOBODY.pw_uid} launching {capread.name} on a root-only file: {opens}; {end}")
    assert [m["error"] for m in opens] == ["EACCES"], opens
    assert end["status"] == 1 and not leaks(messages)
