"""What the benchmark runs: the filters, the tools, the output kinds and their command lines."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path

from measure import venv_bin


class Tool(enum.Enum):
    UNTRACED = "untraced"
    TRACED = "traced"
    STRACE_BPF = "strace --seccomp-bpf"
    STRACE = "strace"


class Output(enum.Enum):
    """Where the trace goes.  NONE: the untraced program, which writes no trace."""

    NONE = "-"
    FILE = "-o FILE"
    NULL = "-o /dev/null"
    JSON = "--json -o FILE"


@dataclass(frozen=True)
class Filter:
    """A ``-e trace=`` choice.  ``names`` None: no -e at all, every syscall stops."""

    key: str
    names: tuple[str, ...] | None
    n: int


@dataclass(frozen=True)
class Sizes:
    """The loop's N per case, chosen so that each traced run takes 0.3-3 s."""

    none: int = 2_000_000  # nothing stops: only the filter's in-kernel cost shows
    one: int = 100_000  # openat only: N/10 stops
    all: int = 20_000  # every loop syscall stops: 1.2 N stops
    # Plain strace stops on every syscall even when it prints none of them.
    strace_none: int = 100_000


def filters(sizes: Sizes) -> list[Filter]:
    return [
        Filter("none", ("gettid",), sizes.none),
        Filter("one", ("openat",), sizes.one),
        Filter("all", ("getppid", "openat", "close"), sizes.all),
        Filter("every", None, sizes.all),
    ]


@dataclass(frozen=True)
class Variant:
    """One command to time.  ``case`` is a filter key, or "startup" for /bin/true."""

    tool: Tool
    case: str
    output: Output
    n: int
    pinned: bool
    names: tuple[str, ...] | None = None

    @property
    def label(self) -> str:
        pin = " pinned" if self.pinned else ""
        return f"{self.case} n={self.n} {self.tool.value} {self.output.value}{pin}"

    @property
    def slug(self) -> str:
        words = (self.case, str(self.n), self.tool.name, self.output.name, str(self.pinned))
        return "-".join(words).lower()


def traced_executable() -> str:
    """The ``traced`` installed from this tree (measure.installed_venv)."""
    return venv_bin("traced")


def expression(names: tuple[str, ...] | None) -> list[str]:
    """``-e trace=a,b``; ``-e trace=none`` for no names; nothing at all for None."""
    if names is None:
        return []
    return ["-e", "trace=" + (",".join(names) or "none")]


def command(variant: Variant, program: list[str], trace_file: Path, traced: str) -> list[str]:
    """The argv that runs ``program`` under ``variant``'s tool, filter and output."""
    out = "/dev/null" if variant.output is Output.NULL else str(trace_file)
    filt = expression(variant.names)
    if variant.tool is Tool.TRACED:
        json = ["--json"] if variant.output is Output.JSON else []
        # -f as strace's: every line of the file starts with the pid, as strace -f's do.
        argv = [traced, "launch", "-f", *filt, *json, "-o", out, "--", *program]
    elif variant.tool is Tool.UNTRACED:
        argv = program
    else:
        bpf = ["--seccomp-bpf"] if variant.tool is Tool.STRACE_BPF else []
        argv = ["strace", "-f", *bpf, *filt, "-o", out, *program]
    return ["taskset", "-c", "0", *argv] if variant.pinned else argv


def _traced_outputs() -> tuple[Output, ...]:
    return (Output.FILE, Output.NULL, Output.JSON)


def _strace_outputs() -> tuple[Output, ...]:
    return (Output.FILE, Output.NULL)


def _case_variants(filt: Filter, sizes: Sizes, pinned: bool) -> list[Variant]:
    def make(tool: Tool, output: Output, n: int = filt.n) -> Variant:
        return Variant(tool, filt.key, output, n, pinned, filt.names)

    made = [make(Tool.TRACED, out) for out in _traced_outputs()]
    made += [make(Tool.STRACE_BPF, out) for out in _strace_outputs()]
    plain_n = sizes.strace_none if filt.key == "none" else filt.n
    made += [make(Tool.STRACE, out, plain_n) for out in _strace_outputs()]
    return made


def _startup_variants(pinned: bool) -> list[Variant]:
    """``/bin/true`` untraced and under each tracer with -e trace=none: the fixed costs."""
    return [
        Variant(tool, "startup", out, 0, pinned, ())
        for tool, out in (
            (Tool.UNTRACED, Output.NONE),
            (Tool.TRACED, Output.FILE),
            (Tool.STRACE, Output.FILE),
        )
    ]


def matrix(sizes: Sizes, pin_modes: tuple[bool, ...]) -> list[Variant]:
    """Every variant of one round, in the order a round runs them."""
    chosen = filters(sizes)
    variants: list[Variant] = []
    for pinned in pin_modes:
        variants += _startup_variants(pinned)
        cases = [v for filt in chosen for v in _case_variants(filt, sizes, pinned)]
        for n in sorted({v.n for v in cases}, reverse=True):
            variants.append(Variant(Tool.UNTRACED, "loop", Output.NONE, n, pinned))
        variants += cases
    return variants
