"""--no-follow as values: no filter (full mode) and no fork/vfork/clone options, since a
filtered child nobody traces would have its traced calls fail with ENOSYS."""

from traced.core import abi
from traced.core.task import Mode
from traced.tracer.run import TracePolicy


def test_no_follow_means_full_mode_even_with_a_syscall_set() -> None:
    assert TracePolicy(frozenset({"openat"}), follow=False).mode() is Mode.FULL
    followed = TracePolicy(frozenset({"openat"}))
    assert followed.follow and followed.mode() is Mode.SECCOMP  # the flag alone decides


def test_no_follow_takes_the_follow_options_away_and_keeps_the_rest() -> None:
    options = abi.LAUNCH_OPTIONS & ~abi.FOLLOW_OPTIONS
    assert not options & (abi.O_TRACEFORK | abi.O_TRACEVFORK | abi.O_TRACECLONE)
    assert options & abi.O_TRACEEXEC and options & abi.O_EXITKILL
