"""eBPF programs as strace 6.1 prints them under -v (its print_ebpf_prog): each
instruction's opcode by its parts, its registers, offset and immediate.

An eBPF instruction is 8 bytes: u8 opcode, two 4-bit registers (dst low, src high),
s16 offset, s32 immediate.  The opcode's low three bits are its class; loads and
stores add a size and a mode, ALU and jumps a source and an operation.  eBPF shares
classic BPF's encodings (bpf_filter.py), with JMP32 and ALU64 in place of RET and MISC.
"""

from __future__ import annotations

import struct

from traced.decoders import _constants as K
from traced.decoders.arrays import array_text
from traced.decoders.values import Memory, Options, hex_address
from traced.decoders.xlat import format_enum, number


def _code(code: int) -> str:
    """An eBPF opcode: its class, then by class its size and mode, or source and op."""
    kind = code & 0x07
    parts = [format_enum(kind, K.EBPF_CLASSES, "BPF_???").text]
    name = K.EBPF_CLASSES[kind][0]
    if name in ("BPF_LD", "BPF_LDX", "BPF_ST", "BPF_STX"):
        parts += [
            format_enum(code & 0x18, K.BPF_SIZES, "BPF_???").text,
            format_enum(code & 0xE0, K.BPF_MODES, "BPF_???").text,
        ]
    elif name in ("BPF_ALU", "BPF_ALU64", "BPF_JMP"):
        ops = K.BPF_JMP_OPS if name == "BPF_JMP" else K.BPF_ALU_OPS
        parts += [
            format_enum(code & 0x08, K.BPF_SRCS, "BPF_???").text,
            format_enum(code & 0xF0, ops, "BPF_???").text,
        ]
    elif code & ~0x07:  # JMP32: strace's BPF_RET, reserved in eBPF
        parts.append(f"{number(code & ~0x07)} /* BPF_??? */")
    return "|".join(parts)


def _insn(chunk: bytes) -> str:
    code, regs, off, imm = struct.unpack("<BBhi", chunk)
    dst, src = (
        format_enum(reg, K.EBPF_REGS, "BPF_REG_???").text for reg in (regs & 0xF, regs >> 4)
    )
    immediate = number(imm & 0xFFFFFFFF)
    return f"{{code={_code(code)}, dst_reg={dst}, src_reg={src}, off={off}, imm={immediate}}}"


def program(address: int, count: int, memory: Memory, options: Options) -> str:
    """A program: its address, under -v its instructions (strace's print_ebpf_prog)."""
    if not options.verbose:
        return hex_address(address)
    return array_text(address, count, 8, memory, options, element=_insn).text
