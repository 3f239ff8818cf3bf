"""The kernel accepts what traced.filter.bpf compiles, and traces exactly the syscalls asked for.

With no tracer attached, a syscall the filter TRACEs fails with ENOSYS without running,
so a forked child can see the filter's verdicts on itself.  A filter lasts for the
life of the process that installs it, hence the fork.
"""

from __future__ import annotations

import ctypes
import errno
import os
import signal
import struct
import time
from collections.abc import Callable

import pytest

from traced.errors import SeccompError
from traced.filter.bpf import INSTRUCTION, SECCOMP_RET_ALLOW, compile_filter
from traced.linux.seccomp import install_filter, set_no_new_privs
from traced.syscalls.arch import X86_64

pytestmark = pytest.mark.integration

NUMBERS = X86_64.native.numbers_by_name
RESULT = struct.Struct("<qi")  # what syscall(2) returned, errno

_libc = ctypes.CDLL(None, use_errno=True)
_syscall = _libc["syscall"]
_syscall.argtypes = (ctypes.c_long,)
_syscall.restype = ctypes.c_long


def raw_syscall(name: str) -> tuple[int, int]:
    """Call ``name`` (no arguments) through syscall(2), bypassing any libc caching."""
    ctypes.set_errno(0)
    result = _syscall(NUMBERS[name])
    return result, ctypes.get_errno()


def in_child(body: Callable[[], bytes]) -> bytes:
    """Run ``body`` in a forked child and return what it reports; it must not raise."""
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:
        status = 1
        try:
            os.close(reader)
            os.write(writer, body())
            status = 0
        except BaseException as error:
            os.write(writer, repr(error).encode())
        finally:
            os._exit(status)
    os.close(writer)
    with os.fdopen(reader, "rb") as pipe:
        report = pipe.read()
    _, wait_status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(wait_status) == 0, report.decode(errors="replace")
    return report


def run_in_filtered_child(names: list[str], probes: list[str]) -> list[tuple[int, int]]:
    """In a child, install a filter for ``names``, then call each of ``probes``."""
    program = compile_filter(X86_64, names)  # before fork: the child only installs

    def body() -> bytes:
        set_no_new_privs()
        install_filter(program)
        return b"".join(RESULT.pack(*raw_syscall(name)) for name in probes)

    return list(RESULT.iter_unpack(in_child(body)))


def test_traced_syscall_fails_with_enosys_and_others_run():
    (getppid, getppid_errno), (getpid, getpid_errno) = run_in_filtered_child(
        ["getppid"], ["getppid", "getpid"]
    )
    assert (getppid, getppid_errno) == (-1, errno.ENOSYS)
    assert getpid > 0
    assert getpid_errno == 0


def test_filter_of_almost_every_native_name_traces_them():
    # write and exit_group stay untraced, or the child could neither report nor exit.
    names = sorted(set(NUMBERS) - {"write", "exit_group"})
    results = run_in_filtered_child(names, ["getpid", "getppid", "sched_yield"])
    assert results == [(-1, errno.ENOSYS)] * 3


def test_kernel_refusal_is_a_seccomp_error_with_its_errno():
    jump_past_the_end = INSTRUCTION.pack(0x15, 0, 5, 0) + INSTRUCTION.pack(0x06, 0, 0, 0)

    def body() -> bytes:
        set_no_new_privs()
        try:
            install_filter(jump_past_the_end)
        except SeccompError as error:
            return str(error.errno).encode()
        return b"accepted"

    assert in_child(body) == str(errno.EINVAL).encode()


# 65537 instructions would be 1 once truncated to the unsigned short sock_fprog.len.
@pytest.mark.parametrize("count", [0, 4097, 65537])
def test_impossible_sizes_are_refused(count):
    ret_allow = INSTRUCTION.pack(0x06, 0, 0, SECCOMP_RET_ALLOW)

    def body() -> bytes:  # in a child: were the check wrong, the filter would stick
        with pytest.raises(SeccompError) as caught:
            install_filter(ret_allow * count)
        assert caught.value.errno == errno.EINVAL
        with pytest.raises(SeccompError):
            install_filter(ret_allow[:7])
        return b"refused"

    assert in_child(body) == b"refused"


def proc_status(pid: int) -> dict[str, str]:
    with open(f"/proc/{pid}/status") as status:
        return {key: value.strip() for key, _, value in (line.partition(":") for line in status)}


def wait_for_filter(pid: int) -> dict[str, str]:
    """The child's /proc status once it has a filter, or has exited, or after 10 s."""
    deadline = time.monotonic() + 10
    while True:
        fields = proc_status(pid)
        settled = fields["Seccomp_filters"] != "0" or fields["State"].startswith("Z")
        if settled or time.monotonic() > deadline:
            return fields
        time.sleep(0.01)


@pytest.mark.parametrize("abis", ["native", "all"])
def test_kernel_accepts_a_filter_of_every_name(abis):
    # Tracing every syscall leaves the child no way to report or even exit, so it
    # spins (no syscalls) and we read its filter count from /proc, then SIGKILL it.
    chosen = [X86_64.native] if abis == "native" else list(X86_64.abis)
    program = compile_filter(X86_64, {name for abi in chosen for name in abi.numbers_by_name})
    pid = os.fork()
    if pid == 0:
        try:
            set_no_new_privs()
            install_filter(program)
            while True:
                pass
        finally:
            os._exit(1)
    try:
        fields = wait_for_filter(pid)
        assert not fields["State"].startswith("Z"), "the child could not install the filter"
        assert (fields["Seccomp"], fields["Seccomp_filters"]) == ("2", "1")
        assert fields["NoNewPrivs"] == "1"
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
