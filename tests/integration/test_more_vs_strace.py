"""Behaviour strace 6.1 has and traced had not (issue 17's list of bugs): each run
under strace and under traced on a small C program, the lines compared after the
corpus normalization (corpus.py)."""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

from tests.integration.corpus import normalize, run_pair, tracer_env

pytestmark = pytest.mark.integration


def same_lines(command: list[str], options: list[str], cwd: Path) -> list[str]:
    """strace's normalized lines, asserted equal to traced's."""
    strace, traced = run_pair(command, options, cwd, tracer_env())
    assert strace, "strace wrote nothing"
    theirs = [f"{line.pid} {line.text}" for line in normalize(strace)]
    ours = [f"{line.pid} {line.text}" for line in normalize(traced)]
    assert ours == theirs, "\n".join(difflib.unified_diff(theirs, ours, "strace", "traced", n=1))
    return theirs


def test_a_queued_signal_shows_si_int_and_si_ptr(
    programs: dict[str, Path], strace_tool: str, short_dir: Path
) -> None:
    lines = same_lines([str(programs["sigqueue"])], ["-e", "trace=none"], short_dir)
    assert sum("si_code=SI_QUEUE" in line for line in lines) == 3
    assert sum("si_int=42, si_ptr=0xADDR}" in line for line in lines) == 1  # masked


def test_path_selection_follows_the_fds_of_the_path(
    programs: dict[str, Path], strace_tool: str, short_dir: Path
) -> None:
    """-P PATH shows read, fstat, dup, lseek and close on PATH's fds (and dup's copy),
    none on another file's, as strace does."""
    chosen, other = short_dir / "chosen", short_dir / "other"
    chosen.write_text("hello\n")
    other.write_text("other\n")
    command = [str(programs["path_fds"]), str(chosen), str(other)]
    lines = same_lines(command, ["-P", str(chosen)], short_dir)
    calls = [line.split(" ", 1)[1].split("(")[0] for line in lines]
    assert calls[-8:-1] == ["openat", "read", "newfstatat", "dup", "lseek", "close", "close"]


def test_netlink_messages_are_decoded_by_the_sockets_protocol(
    programs: dict[str, Path], strace_tool: str, short_dir: Path
) -> None:
    """The protocol of the fd (the kernel's table of netlink sockets) names the
    messages' types and flags, and NETLINK_ROUTE's structs are decoded.  A socket
    enters that table when it is bound, which a first send does: at its entry the
    protocol is not known yet, to strace as to traced (a generic NLMSG_??? type)."""
    command = [str(programs["netlink_route"])]
    lines = same_lines(command, ["-e", "trace=sendto,sendmsg"], short_dir)
    assert "NLMSG_???" in lines[0]  # the route socket's first send: not bound yet
    assert "nlmsg_type=RTM_GETLINK, nlmsg_flags=NLM_F_REQUEST|NLM_F_DUMP" in lines[1]
    assert "[{nla_len=8, nla_type=IFLA_EXT_MASK}, RTEXT_FILTER_VF]" in lines[1]
    assert "nlmsg_type=RTM_GETADDR, nlmsg_flags=NLM_F_REQUEST|NLM_F_DUMP" in lines[2]
    assert "{ifa_family=AF_INET, ifa_prefixlen=0, ifa_flags=0, " in lines[2]
    assert "{nlmsg_len=16, nlmsg_type=NLMSG_NOOP, nlmsg_flags=NLM_F_REQUEST" in lines[3]


@pytest.mark.skipif(not os.access("/dev/kvm", os.R_OK | os.W_OK), reason="no /dev/kvm")
def test_kvm_vcpu_words_kvm_run_with_the_exit_reason(
    programs: dict[str, Path], strace_tool: str, short_dir: Path
) -> None:
    """-e kvm=vcpu: each KVM_RUN's result says why the vcpu stopped, read from the
    kvm_run the program mapped from its vcpu fd."""
    command = [str(programs["kvm_run"])]
    lines = same_lines(command, ["-e", "trace=ioctl", "-y", "-e", "kvm=vcpu"], short_dir)
    runs = [line for line in lines if "KVM_RUN" in line]
    assert [line.rsplit("= ", 1)[1] for line in runs] == ["0 (KVM_EXIT_IO)", "0 (KVM_EXIT_HLT)"]
