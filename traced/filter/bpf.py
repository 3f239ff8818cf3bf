"""The seccomp compiler: syscall names in, a classic BPF filter program out.

Kernel facts this module depends on:

* A filter reads ``struct seccomp_data {int nr; u32 arch; u64 ip; u64 args[6]}``:
  ``nr`` at offset 0, ``arch`` at 4, ``ip`` at 8, ``args`` from 16, loaded as 32-bit
  words with ``BPF_LD|BPF_W|BPF_ABS``.  Comparisons are unsigned, so a negative
  ``nr`` looks huge.
* An instruction is ``struct sock_filter {u16 code; u8 jt; u8 jf; u32 k}``, 8 bytes,
  little-endian here.  Conditional jumps skip forward ``jt``/``jf`` instructions, 8
  bits each, so at most 255; only ``BPF_JA`` has a 32-bit offset (in ``k``).  Jumps
  never go backwards and the last instruction must be a ``BPF_RET``.
* A program holds at most BPF_MAXINSNS = 4096 instructions.
* SECCOMP_RET_ALLOW (0x7fff0000) runs the syscall; SECCOMP_RET_TRACE (0x7ff00000)
  first stops the ptrace tracer with PTRACE_EVENT_SECCOMP.  A verdict's low 16 bits
  (SECCOMP_RET_DATA) reach the tracer as the stop's event message.  Ours carry
  TRACED_DATA, so a stop a tracee's own filter asked for (any other data) is told
  from ours with one compare (traced.core.abi says why that matters, and which
  filter's data a stop carries when several ask).  A tracee's filter returning
  TRACE with our very data is taken for ours: that much cannot be told apart.
* SECCOMP_RET_ERRNO (0x00050000) fails the syscall with the verdict's data as its
  errno, without running it and without any stop: it outranks TRACE and ALLOW in the
  order the kernel applies a filter's verdicts (one filter gives one verdict per call).
* ``arch`` names the entry path (AUDIT_ARCH_*).  An x32 call carries the x86_64 arch
  with X32_SYSCALL_BIT set in ``nr``; since Linux 5.4 x32 has its own table, so that
  bit on a 64-bit-only number is ENOSYS, not the 64-bit call.

Layout of a program, native first so the common case is short::

    ld [4]; jeq AUDIT_ARCH_X86_64 else -> i386 check
    ld [0]; <search tree over x86_64 numbers>   its last leaf: jset X32_SYSCALL_BIT
    <search tree over x32 numbers>
    jeq AUDIT_ARCH_I386 else -> ret TRACE       an arch we cannot classify
    ld [0]; <search tree over i386 numbers>

A search tree cuts the number line into segments: the 32-number words of the traced
set's bitmap, runs of all-allowed (or all-traced) words merged into one segment, and
a last, allowed segment up to 2**32 for numbers past the table.  A binary search on
segment starts (``jge``) finds the segment in O(log segments).  A pure segment
returns at once; a mixed word either tests its bit (``and #31; tax; ld #mask;
rsh x; jset #1``) or, holding at most four traced numbers, ``jeq``s them.  The cost
grows with the log of the table's size, never with the size of the traced set.

Counts, every instruction executed including the ``ret``: an untraced native syscall
costs 3 (``ld``, ``jeq``, ``ld``) + one ``jge`` per tree level + at most 5 for its
word + 1.  With one name (``getppid``, word 3) that is 5 below number 96 and 7
elsewhere; with 300 native names, 13 at most.  Programs: 17 instructions for one
name, 183 for every native name, 137 for every name of every ABI (full words merge).
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

from traced.errors import FilterTooLargeError, UnknownSyscallError
from traced.syscalls.arch import AUDIT_ARCH_I386, AUDIT_ARCH_X86_64, Abi, Arch

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
BPF_AND, BPF_RSH = 0x50, 0x70
BPF_JA, BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET = 0x00, 0x10, 0x20, 0x30, 0x40
BPF_K, BPF_X, BPF_TAX = 0x00, 0x08, 0x00

LD_ABS = BPF_LD | BPF_W | BPF_ABS
LD_IMM = BPF_LD | BPF_W | BPF_IMM
AND_K = BPF_ALU | BPF_AND | BPF_K
RSH_X = BPF_ALU | BPF_RSH | BPF_X
TAX = BPF_MISC | BPF_TAX
JA = BPF_JMP | BPF_JA
JEQ_K = BPF_JMP | BPF_JEQ | BPF_K
JGE_K = BPF_JMP | BPF_JGE | BPF_K
JSET_K = BPF_JMP | BPF_JSET | BPF_K
RET_K = BPF_RET | BPF_K

_WORD = 32
_FULL_WORD = (1 << _WORD) - 1
_MAX_JEQ_CHAIN = 4  # up to 4 jeq beat the 5-instruction bit test

Instruction = tuple[int, int, int, int]  # code, jt, jf, k


def syscall_numbers(abi: Abi, names: Iterable[str]) -> frozenset[int]:
    """The numbers of ``names`` in ``abi``'s numbering; names it lacks are skipped."""
    return frozenset(abi.numbers_by_name[name] for name in names if name in abi.numbers_by_name)


class _Assembler:
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


class _Segment(NamedTuple):  # not a dataclass: ~0.5 ms less to start
    """Numbers from ``start`` up to the next segment: one verdict, or a word's bitmap."""

    start: int
    verdict: int | None  # None: look the bit up in mask
    mask: int = 0


def _segments(traced: frozenset[int], base: int) -> list[_Segment]:
    """The number line (offset by ``base``) cut into words, equal pure words merged.

    The last segment is all-allowed and runs to 2**32: numbers past the table.
    """
    segments: list[_Segment] = []
    words = (max(traced) // _WORD + 1) if traced else 0
    for word in range(words):
        mask = sum(1 << bit for bit in range(_WORD) if word * _WORD + bit in traced)
        verdict = {0: SECCOMP_RET_ALLOW, _FULL_WORD: TRACE}.get(mask)
        segments.append(_Segment(base + word * _WORD, verdict, mask))
    segments.append(_Segment(base + words * _WORD, SECCOMP_RET_ALLOW))
    merged = segments[:1]
    for segment in segments[1:]:
        if segment.verdict is None or segment.verdict != merged[-1].verdict:
            merged.append(segment)
    return merged


def _word_test(asm: _Assembler, segment: _Segment) -> int:
    trace, allow = asm.ret(TRACE), asm.ret(SECCOMP_RET_ALLOW)
    bits = [bit for bit in range(_WORD) if segment.mask >> bit & 1]
    if len(bits) <= _MAX_JEQ_CHAIN:
        label = allow
        for bit in reversed(bits):
            label = asm.branch(JEQ_K, segment.start + bit, trace, label)
        return label
    # X = nr % 32; A = mask >> X; the low bit is the verdict.
    label = asm.branch(JSET_K, 1, trace, allow)
    for code, k in ((RSH_X, 0), (LD_IMM, segment.mask), (TAX, 0), (AND_K, _WORD - 1)):
        label = asm.then(label, code, k)
    return label


def _search(asm: _Assembler, segments: Sequence[_Segment], beyond: int | None) -> int:
    """A binary search over ``segments`` on A = nr; ``beyond`` overrides the last one."""
    if len(segments) == 1:
        segment = segments[0]
        if beyond is not None:
            return beyond
        if segment.verdict is None:
            return _word_test(asm, segment)
        return asm.ret(segment.verdict)
    middle = len(segments) // 2
    upper = _search(asm, segments[middle:], beyond)
    lower = _search(asm, segments[:middle], None)
    return asm.branch(JGE_K, segments[middle].start, upper, lower)


def errno_verdict(err: int) -> int:
    """The verdict that fails a call with ``err`` in the kernel (-e inject=...:error=)."""
    return SECCOMP_RET_ERRNO | (err & SECCOMP_RET_DATA)


def _own_verdicts(
    asm: _Assembler, abis: Sequence[Abi], verdicts: Mapping[str, int], then: int
) -> int:
    """With A = nr: the calls with a verdict of their own return it, the rest go on to
    ``then``.  One ``jeq`` each, before the search: kept apart from the tree so the
    tree stays the traced set's alone."""
    label = then
    for abi in reversed(abis):
        for name in sorted(verdicts, reverse=True):
            if name in abi.numbers_by_name:
                nr = abi.numbers_by_name[name] | abi.nr_bit
                label = asm.branch(JEQ_K, nr, asm.ret(verdicts[name]), label)
    return label


def _audit_arch_block(
    asm: _Assembler,
    abis: Sequence[Abi],
    wanted: frozenset[str],
    verdicts: Mapping[str, int] | None = None,
) -> int:
    """Load nr and classify it for the ABIs that share one audit arch."""
    plain = [abi for abi in abis if not abi.nr_bit]
    flagged = [abi for abi in abis if abi.nr_bit]
    # Flagged numbers (x32) are huge, so they land in the plain tree's last segment,
    # and only that leaf pays for telling them apart.
    beyond = asm.ret(SECCOMP_RET_ALLOW if plain else TRACE)
    for abi in reversed(flagged):
        tree = _search(asm, _segments(syscall_numbers(abi, wanted), abi.nr_bit), None)
        beyond = asm.branch(JSET_K, abi.nr_bit, tree, beyond)
    entry = beyond
    if plain:
        segments = _segments(syscall_numbers(plain[0], wanted), 0)
        assert all(abi.nr_bit >= segments[-1].start for abi in flagged)
        entry = _search(asm, segments, beyond)
    if verdicts:
        entry = _own_verdicts(asm, abis, verdicts, entry)
    # Nothing to trace for this arch: the verdict needs no nr.
    return entry if asm.returns(entry) else asm.then(entry, LD_ABS, NR_OFFSET)


def _by_audit_arch(arch: Arch) -> list[tuple[int, list[Abi]]]:
    groups: dict[int, list[Abi]] = {}
    for abi in arch.abis:  # native first: dicts keep insertion order
        groups.setdefault(abi.audit_arch, []).append(abi)
    return list(groups.items())


def compile_filter(
    arch: Arch, names: Iterable[str], verdicts: Mapping[str, int] | None = None
) -> bytes:
    """A filter returning TRACE for ``names`` in every ABI of ``arch``, ALLOW otherwise;
    ``verdicts`` gives some syscalls a verdict of their own (SECCOMP_RET_ERRNO: an
    injected error), whatever ``names`` says of them."""
    wanted = frozenset(names)
    for name in sorted(wanted):
        if not any(name in abi.numbers_by_name for abi in arch.abis):
            raise UnknownSyscallError(name)
    asm = _Assembler()
    otherwise = asm.ret(TRACE)  # never silently allow what we cannot classify
    for audit_arch, abis in reversed(_by_audit_arch(arch)):
        block = _audit_arch_block(asm, abis, wanted, verdicts)
        otherwise = asm.branch(JEQ_K, audit_arch, block, otherwise)
    asm.then(otherwise, LD_ABS, ARCH_OFFSET)
    return asm.assemble()


_FIELDS = {NR_OFFSET: "nr", ARCH_OFFSET: "arch", IP_OFFSET: "ip", IP_OFFSET + 4: "ip high"}
_NAMED_K = {
    AUDIT_ARCH_X86_64: "AUDIT_ARCH_X86_64",
    AUDIT_ARCH_I386: "AUDIT_ARCH_I386",
    SECCOMP_RET_ALLOW: "ALLOW",
    TRACE: "TRACE",
}
_CONDITIONS = {JEQ_K: "jeq", JGE_K: "jge", JSET_K: "jset", BPF_JMP | BPF_JGT: "jgt"}


def _field(offset: int) -> str:
    if offset < ARGS_OFFSET:
        return _FIELDS.get(offset, "?")
    index, half = divmod(offset - ARGS_OFFSET, 8)
    return f"args[{index}]" + (" high" if half else "")


def _describe(pc: int, code: int, jt: int, jf: int, k: int) -> str:
    named = f"  ; {_NAMED_K[k]}" if k in _NAMED_K else ""
    if code in _CONDITIONS:
        return f"{_CONDITIONS[code]:<4} #{k:#x} jt {pc + 1 + jt:04d} jf {pc + 1 + jf:04d}{named}"
    simple = {
        LD_ABS: f"ld   [{k}]  ; {_field(k)}",
        LD_IMM: f"ld   #{k:#x}",
        AND_K: f"and  #{k:#x}",
        RSH_X: "rsh  x",
        TAX: "tax",
        JA: f"ja   {pc + 1 + k:04d}",
        RET_K: f"ret  #{k:#x}{named}",
    }
    return simple.get(code, f".insn {code:#06x} {jt} {jf} {k:#x}")


def disassemble(program: bytes) -> list[str]:
    """One line per instruction, jump targets as absolute instruction numbers."""
    return [
        f"{pc:04d}: {_describe(pc, *insn)}"
        for pc, insn in enumerate(INSTRUCTION.iter_unpack(program))
    ]
