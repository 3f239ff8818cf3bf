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

from collections.abc import Iterable, Sequence
from typing import NamedTuple

from traced.errors import UnknownSyscallError
from traced.filter.argcode import rules_block
from traced.filter.assembler import (
    AND_K,
    ARCH_OFFSET,
    ARGS_OFFSET,
    BPF_JGT,
    BPF_JMP,
    BPF_MAXINSNS,
    INSTRUCTION,
    IP_OFFSET,
    JA,
    JEQ_K,
    JGE_K,
    JSET_K,
    LD_ABS,
    LD_IMM,
    NR_OFFSET,
    RET_K,
    RSH_X,
    SECCOMP_RET_ALLOW,
    SECCOMP_RET_DATA,
    SECCOMP_RET_ERRNO,
    TAX,
    TRACE,
    TRACED_DATA,
    XOR_K,
    Assembler,
)
from traced.filter.predicates import NO_RULES, Rules
from traced.syscalls.arch import AUDIT_ARCH_I386, AUDIT_ARCH_X86_64, Abi, Arch

__all__ = [
    "BPF_MAXINSNS", "INSTRUCTION", "SECCOMP_RET_ALLOW", "SECCOMP_RET_ERRNO", "TRACE", "TRACED_DATA",
]  # fmt: skip

_WORD = 32
_FULL_WORD = (1 << _WORD) - 1
_MAX_JEQ_CHAIN = 4  # up to 4 jeq beat the 5-instruction bit test


def syscall_numbers(abi: Abi, names: Iterable[str]) -> frozenset[int]:
    """The numbers of ``names`` in ``abi``'s numbering; names it lacks are skipped."""
    return frozenset(abi.numbers_by_name[name] for name in names if name in abi.numbers_by_name)


class _Segment(NamedTuple):  # not a dataclass: ~0.5 ms less to start
    """Numbers from ``start`` up to the next segment: one verdict, or a word's bitmap."""

    start: int
    verdict: int | None  # None: look the bit up in mask
    mask: int = 0


def _segments(
    traced: frozenset[int], base: int, special: frozenset[int] = frozenset()
) -> list[_Segment]:
    """The number line (offset by ``base``) cut into words, equal pure words merged.

    ``special`` numbers (syscalls with rules) are set in the bitmap as traced ones
    are, so the search is the one a plain filter of them all would make; a word
    holding one is never pure, its hits telling them apart (:func:`_word_test`).
    The last segment is all-allowed and runs to 2**32: numbers past the table.
    """
    segments: list[_Segment] = []
    marked = traced | special
    words = (max(marked) // _WORD + 1) if marked else 0
    for word in range(words):
        numbers = range(word * _WORD, (word + 1) * _WORD)
        mask = sum(1 << bit for bit, nr in enumerate(numbers) if nr in marked)
        verdict = {0: SECCOMP_RET_ALLOW, _FULL_WORD: TRACE}.get(mask)
        if verdict is not None and not special.isdisjoint(numbers):
            verdict = None
        segments.append(_Segment(base + word * _WORD, verdict, mask))
    segments.append(_Segment(base + words * _WORD, SECCOMP_RET_ALLOW))
    merged = segments[:1]
    for segment in segments[1:]:
        if segment.verdict is None or segment.verdict != merged[-1].verdict:
            merged.append(segment)
    return merged


Targets = dict[int, int]  # a syscall number (with its ABI's nr bit) -> its rules' block


def _word_test(asm: Assembler, segment: _Segment, targets: Targets) -> int:
    """A mixed word: jeq its few marked numbers, or test nr's bit; a hit on a number
    with rules goes to its block (a bitmap hit first tells which, on a fresh nr)."""
    trace, allow = asm.ret(TRACE), asm.ret(SECCOMP_RET_ALLOW)
    numbers = [segment.start + bit for bit in range(_WORD) if segment.mask >> bit & 1]
    if len(numbers) <= _MAX_JEQ_CHAIN:
        label = allow
        for nr in reversed(numbers):
            label = asm.branch(JEQ_K, nr, targets.get(nr, trace), label)
        return label
    hit = trace
    special = [nr for nr in numbers if nr in targets]
    if special:
        for nr in reversed(special):
            hit = asm.branch(JEQ_K, nr, targets[nr], hit)
        hit = asm.then(hit, LD_ABS, NR_OFFSET)
    # X = nr % 32; A = mask >> X; the low bit is the verdict.
    label = asm.branch(JSET_K, 1, hit, allow)
    for code, k in ((RSH_X, 0), (LD_IMM, segment.mask), (TAX, 0), (AND_K, _WORD - 1)):
        label = asm.then(label, code, k)
    return label


def _search(
    asm: Assembler, segments: Sequence[_Segment], beyond: int | None, targets: Targets
) -> int:
    """A binary search over ``segments`` on A = nr; ``beyond`` overrides the last one."""
    if len(segments) == 1:
        segment = segments[0]
        if beyond is not None:
            return beyond
        if segment.verdict is None:
            return _word_test(asm, segment, targets)
        return asm.ret(segment.verdict)
    middle = len(segments) // 2
    upper = _search(asm, segments[middle:], beyond, targets)
    lower = _search(asm, segments[:middle], None, targets)
    return asm.branch(JGE_K, segments[middle].start, upper, lower)


def errno_verdict(err: int) -> int:
    """The verdict that fails a call with ``err`` in the kernel (-e inject=...:error=)."""
    return SECCOMP_RET_ERRNO | (err & SECCOMP_RET_DATA)


def _abi_segments(
    asm: Assembler, arch: Arch, abi: Abi, wanted: frozenset[str], rules: Rules
) -> tuple[list[_Segment], Targets]:
    """An ABI's segments, and its syscalls' rules compiled to blocks (emitted first,
    so they sit after the search that jumps to them)."""
    targets = {
        abi.numbers_by_name[name] | abi.nr_bit: rules_block(asm, arch, abi, name, rules[name])
        for name in sorted(rules)
        if name in abi.numbers_by_name
    }
    special = frozenset(nr & ~abi.nr_bit for nr in targets)
    return _segments(syscall_numbers(abi, wanted), abi.nr_bit, special), targets


def _audit_arch_block(
    asm: Assembler, arch: Arch, abis: Sequence[Abi], wanted: frozenset[str], rules: Rules
) -> int:
    """Load nr and classify it for the ABIs that share one audit arch."""
    plain = [abi for abi in abis if not abi.nr_bit]
    flagged = [abi for abi in abis if abi.nr_bit]
    # Flagged numbers (x32) are huge, so they land in the plain tree's last segment,
    # and only that leaf pays for telling them apart.
    beyond = asm.ret(SECCOMP_RET_ALLOW if plain else TRACE)
    for abi in reversed(flagged):
        segments, targets = _abi_segments(asm, arch, abi, wanted, rules)
        tree = _search(asm, segments, None, targets)
        beyond = asm.branch(JSET_K, abi.nr_bit, tree, beyond)
    entry = beyond
    if plain:
        segments, targets = _abi_segments(asm, arch, plain[0], wanted, rules)
        assert all(abi.nr_bit >= segments[-1].start for abi in flagged)
        entry = _search(asm, segments, beyond, targets)
    # Nothing to trace for this arch: the verdict needs no nr.
    return entry if asm.returns(entry) else asm.then(entry, LD_ABS, NR_OFFSET)


def _by_audit_arch(arch: Arch) -> list[tuple[int, list[Abi]]]:
    groups: dict[int, list[Abi]] = {}
    for abi in arch.abis:  # native first: dicts keep insertion order
        groups.setdefault(abi.audit_arch, []).append(abi)
    return list(groups.items())


def compile_filter(arch: Arch, names: Iterable[str], rules: Rules = NO_RULES) -> bytes:
    """A filter returning TRACE for ``names`` in every ABI of ``arch``; for a syscall
    with ``rules`` (and not in ``names``, which wins), the verdict of the first rule
    its arguments match; ALLOW otherwise."""
    wanted = frozenset(names)
    rules = {name: rules[name] for name in rules if name not in wanted}
    for name in sorted(wanted | rules.keys()):
        if not any(name in abi.numbers_by_name for abi in arch.abis):
            raise UnknownSyscallError(name)
    asm = Assembler()
    otherwise = asm.ret(TRACE)  # never silently allow what we cannot classify
    for audit_arch, abis in reversed(_by_audit_arch(arch)):
        block = _audit_arch_block(asm, arch, abis, wanted, rules)
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
        XOR_K: f"xor  #{k:#x}",
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
