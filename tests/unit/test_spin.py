"""The polling policy after a restart: poll while polls pay, back off when they do not."""

from traced.core.abi import PTRACE_CONT, PTRACE_SYSCALL
from traced.core.spin import BACKOFF_RESTARTS, BUDGET_NS, MISSES_BEFORE_BACKOFF, SpinPolicy


def test_polls_for_the_restart_kinds_budget_while_polls_find_stops() -> None:
    policy = SpinPolicy()
    for _ in range(100):
        assert policy.budget_ns(PTRACE_SYSCALL) == BUDGET_NS[PTRACE_SYSCALL]
        policy.record(PTRACE_SYSCALL, found=True)
    assert policy.budget_ns(PTRACE_CONT) == BUDGET_NS[PTRACE_CONT]


def test_backs_off_after_misses_in_a_row_then_tries_again() -> None:
    policy = SpinPolicy()
    for _ in range(MISSES_BEFORE_BACKOFF):
        assert policy.budget_ns(PTRACE_SYSCALL) > 0
        policy.record(PTRACE_SYSCALL, found=False)
    rested = [policy.budget_ns(PTRACE_SYSCALL) for _ in range(BACKOFF_RESTARTS)]
    assert rested == [0] * BACKOFF_RESTARTS
    assert policy.budget_ns(PTRACE_SYSCALL) == BUDGET_NS[PTRACE_SYSCALL]


def test_a_hit_forgives_earlier_misses() -> None:
    policy = SpinPolicy()
    for found in [False] * (MISSES_BEFORE_BACKOFF - 1) + [True] + [False]:
        policy.budget_ns(PTRACE_SYSCALL)
        policy.record(PTRACE_SYSCALL, found=found)
    assert policy.budget_ns(PTRACE_SYSCALL) > 0


def test_never_polls_on_one_cpu() -> None:
    assert SpinPolicy(enabled=False).budget_ns(PTRACE_SYSCALL) == 0


def test_each_restart_kind_is_judged_on_its_own_polls() -> None:
    """The far-off stops after PTRACE_CONT do not rest the polls for exit stops."""
    policy = SpinPolicy()
    for _ in range(MISSES_BEFORE_BACKOFF):
        assert policy.budget_ns(PTRACE_CONT) > 0
        policy.record(PTRACE_CONT, found=False)
    assert policy.budget_ns(PTRACE_CONT) == 0
    assert policy.budget_ns(PTRACE_SYSCALL) == BUDGET_NS[PTRACE_SYSCALL]


def test_a_restart_kind_without_a_budget_is_never_polled() -> None:
    assert SpinPolicy().budget_ns(0x4206) == 0  # PTRACE_SEIZE: no stop follows it soon
