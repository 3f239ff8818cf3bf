"""The kernel's ptrace and wait ABI, as plain numbers.

The pure core speaks in these (a restart is a request number, a stop carries an
event number); linux/ passes them to the kernel unchanged.  They are the same on
every architecture Linux supports, so nothing here is per-arch: the per-ABI facts
(syscall numbers, audit arch values) live in :mod:`traced.syscalls.arch`.

Kernel facts (include/uapi/linux/ptrace.h, include/uapi/linux/wait.h):

* A restart request's ``data`` is the signal to deliver; PTRACE_CONT runs to the
  next seccomp or signal stop, PTRACE_SYSCALL also to the next syscall entry or
  exit, PTRACE_LISTEN keeps a seized task in its group-stop, PTRACE_DETACH lets go.
* Options given to PTRACE_SEIZE are inherited by every task the tracee creates
  while TRACEFORK/VFORK/CLONE are set.  EXITKILL kills the tracee when its tracer
  exits: a launched tracee, whose filter would fail its syscalls with ENOSYS once
  nobody traces it, must never outlive us; an attached process must.
* A stop's event number is ``status >> 16``; PTRACE_EVENT_STOP is only reported
  to a seized tracee.
* PTRACE_O_TRACESECCOMP changes what a tracee's own filter does (kernel/seccomp.c,
  ``__seccomp_filter``): a filter verdict of SECCOMP_RET_TRACE stops the task with
  PTRACE_EVENT_SECCOMP only ``if ptrace_event_enabled(current,
  PTRACE_EVENT_SECCOMP)``; without the option the kernel fails the syscall with
  ENOSYS, without running it, as if nobody traced the task.  A sandbox may rely on
  that, so we set the option only where our own filter needs it (a launch with a
  filter, or an attach that installs it: ``traced attach --filter``), never in full
  mode nor on a plain attach.  The event message (and
  PTRACE_GET_SYSCALL_INFO's ``ret_data``) is the verdict's SECCOMP_RET_DATA, 16
  bits.  When several filters return TRACE, the newest one's data is reported
  (``seccomp_run_filters`` walks newest to oldest and keeps the first of the
  strongest verdicts), so a tracee's own filter, always installed after ours, is
  the one whose data a stop carries; see traced.filter.bpf.TRACED_DATA.
* A tracer that sets the syscall number to -1 at a seccomp stop makes the kernel
  skip the syscall (``if (this_syscall < 0) goto skip``): the task gets whatever
  the return register holds, which we set to -ENOSYS, and a syscall-exit-stop
  follows if the task was restarted with PTRACE_SYSCALL.
* ``__WALL`` makes a wait see clone children (threads) as well as processes.
"""

from __future__ import annotations

import enum

PTRACE_POKEDATA = 5
PTRACE_POKEUSER = 6
PTRACE_CONT = 7
PTRACE_KILL = 8
PTRACE_DETACH = 17
PTRACE_GETREGS = 12
PTRACE_SYSCALL = 24
PTRACE_SETOPTIONS = 0x4200
PTRACE_GETEVENTMSG = 0x4201
PTRACE_GETSIGINFO = 0x4202
PTRACE_SEIZE = 0x4206
PTRACE_INTERRUPT = 0x4207
PTRACE_LISTEN = 0x4208
PTRACE_GET_SYSCALL_INFO = 0x420E

O_TRACESYSGOOD = 0x01
O_TRACEFORK = 0x02
O_TRACEVFORK = 0x04
O_TRACECLONE = 0x08
O_TRACEEXEC = 0x10
O_TRACESECCOMP = 0x80
O_EXITKILL = 0x100000

# What a launched tracee is seized with (EXITKILL: see the facts above).  No
# TRACESECCOMP: a launch with our filter adds it (FILTER_OPTIONS), others must leave
# the tracee's own RET_TRACE verdicts to the kernel, which fails them with ENOSYS.
LAUNCH_OPTIONS = (
    O_TRACESYSGOOD | O_TRACEFORK | O_TRACEVFORK | O_TRACECLONE | O_TRACEEXEC
) | O_EXITKILL
FILTER_OPTIONS = LAUNCH_OPTIONS | O_TRACESECCOMP
# --no-follow takes these away: the tasks the tracee creates are not seized, so they
# may trace (PTRACE_TRACEME) or be traced by it, as under strace without -f.
FOLLOW_OPTIONS = O_TRACEFORK | O_TRACEVFORK | O_TRACECLONE
# An attached process must survive our death, so no EXITKILL; and no filter of ours.
ATTACH_OPTIONS = LAUNCH_OPTIONS & ~O_EXITKILL
# An attach that installs our filter (traced attach --filter): its seccomp stops, and,
# as for a launch, the process must not outlive us, since its traced syscalls would
# fail with ENOSYS once nobody traces it.  Back to ATTACH_OPTIONS if the install fails.
FILTER_ATTACH_OPTIONS = ATTACH_OPTIONS | O_TRACESECCOMP | O_EXITKILL

PTRACE_EVENT_FORK = 1
PTRACE_EVENT_VFORK = 2
PTRACE_EVENT_CLONE = 3
PTRACE_EVENT_EXEC = 4
PTRACE_EVENT_VFORK_DONE = 5
PTRACE_EVENT_EXIT = 6
PTRACE_EVENT_SECCOMP = 7
PTRACE_EVENT_STOP = 128

# How a task puts a seccomp filter of its own on itself (linux/seccomp.h,
# linux/prctl.h): seccomp(SECCOMP_SET_MODE_STRICT or _FILTER, ...) or
# prctl(PR_SET_SECCOMP, ...).  Success is 0 (or a listener fd).
SECCOMP_SET_MODE_STRICT = 0
SECCOMP_SET_MODE_FILTER = 1
PR_SET_SECCOMP = 22

WALL = 0x40000000  # __WALL
CLD_TRAPPED = 4  # si_code of a ptrace-stop reported by waitid


class SyscallOp(enum.IntEnum):
    """struct ptrace_syscall_info's ``op``: which kind of stop it describes."""

    NONE = 0
    ENTRY = 1
    EXIT = 2
    SECCOMP = 3
