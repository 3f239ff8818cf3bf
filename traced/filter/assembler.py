"""A classic BPF assembler for seccomp filters, built back to front: the opcodes and
verdicts traced's filters use, and the label arithmetic.  Pure.

Kernel facts this module depends on:

* An instruction is ``struct sock_filter {u16 code; u8 jt; u8 jf; u32 k}``, 8 bytes,
  little-endian here.  Conditional jumps skip forward ``jt``/``jf`` instructions, 8
  bits each, so at most 255; only ``BPF_JA`` has a 32-bit offset (in ``k``).  Jumps
  never go backwards and the last instruction must be a ``BPF_RET``.
* A program holds at most BPF_MAXINSNS = 4096 instructions.
* A seccomp filter may use the ALU's ``and``, ``xor`` and ``rsh`` (seccomp_check_filter
  lists what it takes); loads read ``struct seccomp_data`` 32 bits at a time.
* SECCOMP_RET_ALLOW (0x7fff0000) runs the syscall; SECCOMP_RET_TRACE (0x7ff00000)
  first stops the ptrace tracer; the low 16 bits are the verdict's data
  (traced.filter.bpf says what ours carry).
"""

from __future__ import annotations

import struct

from traced.errors import FilterTooLargeError

# struct seccomp_data offsets.
NR_OFFSET, ARCH_OFFSET, IP_OFFSET, ARGS_OFFSET = 0, 4, 8, 16

SECCOMP_RET_ERRNO = 0x00050000
SECCOMP_RET_TRACE = 0x7FF00000
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_DATA = 0x0000FFFF
# The data of our TRACE verdicts: "traced" would not fit in 16 bits, 0x7ACE does.
TRACED_DATA = 0x7ACE
TRACE = SECCOMP_RET_TRACE | TRACED_DATA  # the verdict our filters give
BPF_MAXINSNS = 4096
MAX_JUMP = 255  # jt and jf are u8
INSTRUCTION = struct.Struct("<HBBI")  # struct sock_filter

# Opcode parts from linux/bpf_common.h, then the few whole opcodes the compiler uses.
BPF_LD, BPF_ALU, BPF_JMP, BPF_RET, BPF_MISC = 0x00, 0x04, 0x05, 0x06, 0x07
BPF_W, BPF_IMM, BPF_ABS = 0x00, 0x00, 0x20
BPF_AND, BPF_RSH, BPF_XOR = 0x50, 0x70, 0xA0
BPF_JA, BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET = 0x00, 0x10, 0x20, 0x30, 0x40
BPF_K, BPF_X, BPF_TAX = 0x00, 0x08, 0x00

LD_ABS = BPF_LD | BPF_W | BPF_ABS
LD_IMM = BPF_LD | BPF_W | BPF_IMM
AND_K = BPF_ALU | BPF_AND | BPF_K
XOR_K = BPF_ALU | BPF_XOR | BPF_K
RSH_X = BPF_ALU | BPF_RSH | BPF_X
TAX = BPF_MISC | BPF_TAX
JA = BPF_JMP | BPF_JA
JEQ_K = BPF_JMP | BPF_JEQ | BPF_K
JGE_K = BPF_JMP | BPF_JGE | BPF_K
JGT_K = BPF_JMP | BPF_JGT | BPF_K
JSET_K = BPF_JMP | BPF_JSET | BPF_K
RET_K = BPF_RET | BPF_K

Instruction = tuple[int, int, int, int]  # code, jt, jf, k


class Assembler:
    """Builds a program back to front, so every jump target already exists.

    A label is an instruction's index counted from the end of the program; it never
    changes as more instructions are prepended.  A jump from label ``p`` to ``t``
    skips ``p - t - 1`` instructions.
    """

    def __init__(self) -> None:
        self._backwards: list[Instruction] = []
        self._last_ret: dict[int, int] = {}  # verdict -> label of its nearest RET

    def _emit(self, code: int, k: int, jt: int = 0, jf: int = 0) -> int:
        self._backwards.append((code, jt, jf, k))
        if code == RET_K:
            self._last_ret[k] = len(self._backwards) - 1
        return len(self._backwards) - 1

    def _adjacent(self, label: int) -> int:
        """A label next in line that does what ``label`` does: itself, a RET copy, a JA."""
        last = len(self._backwards) - 1
        if label == last:
            return label
        code, _, _, k = self._backwards[label]
        if code == RET_K:  # copying a RET is as short as jumping to it, and faster
            return self._emit(RET_K, k)
        return self._emit(JA, last - label)

    def _reachable(self, label: int) -> int:
        # Leave room for one more trampoline the other branch may still need.
        if len(self._backwards) - label - 1 <= MAX_JUMP - 1:
            return label
        return self._adjacent(label)

    def ret(self, verdict: int) -> int:
        label = self._last_ret.get(verdict)
        return self._emit(RET_K, verdict) if label is None else label

    def returns(self, label: int) -> bool:
        return self._backwards[label][0] == RET_K

    def then(self, label: int, code: int, k: int = 0) -> int:
        """An instruction that falls through to ``label``."""
        self._adjacent(label)
        return self._emit(code, k)

    def _same(self, one: int, other: int) -> bool:
        return one == other or (
            self.returns(one) and self._backwards[one] == self._backwards[other]
        )

    def branch(self, code: int, k: int, if_true: int, if_false: int) -> int:
        if self._same(if_true, if_false):  # a test whose outcome does not matter
            return if_false
        if_false = self._reachable(if_false)
        if_true = self._reachable(if_true)
        here = len(self._backwards)
        return self._emit(code, k, here - if_true - 1, here - if_false - 1)

    def assemble(self) -> bytes:
        if len(self._backwards) > BPF_MAXINSNS:
            raise FilterTooLargeError(
                f"filter needs {len(self._backwards)} instructions, the kernel takes "
                f"at most {BPF_MAXINSNS}"
            )
        return b"".join(INSTRUCTION.pack(*insn) for insn in reversed(self._backwards))
