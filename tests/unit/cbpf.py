"""A classic BPF interpreter for seccomp filters, to check the compiler without a kernel.

It knows only the opcodes a seccomp filter may use, and of those only the subset
listed in ``_CHECKS``; it rejects, with MalformedProgramError, what the kernel's
checker (bpf_check_classic, seccomp_check_filter) would: an empty program or one of
more than 4096 instructions, a jump past the end, a last instruction that is not a
RET (falling off the end), an unknown opcode, a load outside struct seccomp_data,
a shift by 32 or more, a scratch slot read before it was written.

Opcodes are spelled out here again, not imported from traced.filter.bpf, so that a wrong
constant there cannot agree with itself.
"""

from __future__ import annotations

import functools
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass

MAX_INSTRUCTIONS = 4096
SECCOMP_DATA = struct.Struct("<IIQ6Q")  # nr, arch, ip, args[6]
_INSTRUCTION = struct.Struct("<HBBI")
_U32 = 0xFFFFFFFF
_SCRATCH_SLOTS = 16

# code -> name; classes: LD 0, LDX 1, ST 2, STX 3, ALU 4, JMP 5, RET 6, MISC 7.
OPCODES = {
    0x20: "ld_abs",  # BPF_LD|BPF_W|BPF_ABS
    0x00: "ld_imm",
    0x60: "ld_mem",
    0x01: "ldx_imm",
    0x61: "ldx_mem",
    0x02: "st",
    0x03: "stx",
    0x54: "and_k",
    0x5C: "and_x",
    0x44: "or_k",
    0x4C: "or_x",
    0xA4: "xor_k",
    0xAC: "xor_x",
    0x64: "lsh_k",
    0x6C: "lsh_x",
    0x74: "rsh_k",
    0x7C: "rsh_x",
    0x05: "ja",
    0x15: "jeq",
    0x25: "jgt",
    0x35: "jge",
    0x45: "jset",
    0x06: "ret_k",
    0x16: "ret_a",
    0x07: "tax",
    0x87: "txa",
}
_CONDITIONS: dict[str, Callable[[int, int], bool]] = {
    "jeq": lambda a, k: a == k,
    "jgt": lambda a, k: a > k,
    "jge": lambda a, k: a >= k,
    "jset": lambda a, k: bool(a & k),
}
_ALU: dict[str, Callable[[int, int], int]] = {
    "and": lambda a, b: a & b,
    "or": lambda a, b: a | b,
    "xor": lambda a, b: a ^ b,
    "lsh": lambda a, b: (a << b) & _U32,
    "rsh": lambda a, b: a >> b,
}


class MalformedProgramError(ValueError):
    """The kernel would refuse this program (or this interpreter cannot run it)."""


@dataclass(frozen=True)
class Instruction:
    op: str
    jt: int
    jf: int
    k: int


@dataclass(frozen=True)
class Outcome:
    verdict: int
    steps: int  # instructions executed, the RET included


def _check(pc: int, insn: Instruction, length: int) -> None:
    targets: list[int] = []
    if insn.op == "ja":
        targets = [pc + 1 + insn.k]
    elif insn.op in _CONDITIONS:
        targets = [pc + 1 + insn.jt, pc + 1 + insn.jf]
    if any(target >= length for target in targets):
        raise MalformedProgramError(f"instruction {pc}: jump past the end")
    if insn.op == "ld_abs" and (insn.k >= SECCOMP_DATA.size or insn.k % 4):
        raise MalformedProgramError(f"instruction {pc}: load outside seccomp_data")
    if insn.op in ("lsh_k", "rsh_k") and insn.k >= 32:
        raise MalformedProgramError(f"instruction {pc}: shift by {insn.k}")
    uses_scratch = insn.op.endswith("mem") or insn.op in ("st", "stx")
    if uses_scratch and insn.k >= _SCRATCH_SLOTS:
        raise MalformedProgramError(f"instruction {pc}: no scratch slot {insn.k}")


@functools.lru_cache(maxsize=64)
def decode(program: bytes) -> tuple[Instruction, ...]:
    """The checked instructions of ``program``; MalformedProgramError if the kernel would balk."""
    if not program or len(program) % _INSTRUCTION.size:
        raise MalformedProgramError(f"{len(program)} bytes is no whole, non-empty program")
    raw = list(_INSTRUCTION.iter_unpack(program))
    if len(raw) > MAX_INSTRUCTIONS:
        raise MalformedProgramError(f"{len(raw)} instructions, more than {MAX_INSTRUCTIONS}")
    unknown = [code for code, _, _, _ in raw if code not in OPCODES]
    if unknown:
        raise MalformedProgramError(f"unknown opcode {unknown[0]:#06x}")
    program_ = tuple(Instruction(OPCODES[code], jt, jf, k) for code, jt, jf, k in raw)
    for pc, insn in enumerate(program_):
        _check(pc, insn, len(program_))
    if not program_[-1].op.startswith("ret"):
        raise MalformedProgramError("the last instruction is not a RET: falls off the end")
    return program_


class _Machine:
    """Registers A and X, the scratch memory, the input, and a step counter."""

    def __init__(self, data: bytes) -> None:
        self.a = self.x = self.steps = 0
        self.memory: list[int | None] = [None] * _SCRATCH_SLOTS
        self.data = data

    def load(self, slot: int) -> int:
        value = self.memory[slot]
        if value is None:
            raise MalformedProgramError(f"scratch slot {slot} read before written")
        return value

    def step(self, insn: Instruction) -> int:
        """Execute one non-RET instruction; the number of instructions to skip."""
        op, k = insn.op, insn.k
        if op in _CONDITIONS:
            return insn.jt if _CONDITIONS[op](self.a, k) else insn.jf
        if op == "ja":
            return k
        name, _, operand = op.partition("_")
        if name in _ALU:
            shift = self.x if operand == "x" else k
            if name.endswith("sh") and shift >= 32:
                raise MalformedProgramError(f"shift by X = {shift}")
            self.a = _ALU[name](self.a, shift)
        else:
            self._move(op, k)
        return 0

    def _move(self, op: str, k: int) -> None:
        if op == "ld_abs":
            self.a = int.from_bytes(self.data[k : k + 4], "little")
        elif op == "ld_imm":
            self.a = k
        elif op == "ldx_imm":
            self.x = k
        elif op == "ld_mem":
            self.a = self.load(k)
        elif op == "ldx_mem":
            self.x = self.load(k)
        elif op == "st":
            self.memory[k] = self.a
        elif op == "stx":
            self.memory[k] = self.x
        elif op == "tax":
            self.x = self.a
        else:  # txa
            self.a = self.x


def execute(
    program: bytes, nr: int, arch: int, args: Sequence[int] = (0,) * 6, ip: int = 0
) -> Outcome:
    """Run ``program`` on one struct seccomp_data: the verdict and the steps it took."""
    instructions = decode(program)
    u64 = (1 << 64) - 1
    data = SECCOMP_DATA.pack(nr & _U32, arch & _U32, ip & u64, *(arg & u64 for arg in args))
    machine = _Machine(data)
    pc = 0
    while pc < len(instructions):
        insn = instructions[pc]
        machine.steps += 1
        if insn.op == "ret_k":
            return Outcome(insn.k, machine.steps)
        if insn.op == "ret_a":
            return Outcome(machine.a, machine.steps)
        pc += 1 + machine.step(insn)
    raise MalformedProgramError("fell off the end")


def run(program: bytes, nr: int, arch: int, args: Sequence[int] = (0,) * 6, ip: int = 0) -> int:
    """The SECCOMP_RET_* value ``program`` returns for syscall ``nr`` entered via ``arch``."""
    return execute(program, nr, arch, args, ip).verdict
