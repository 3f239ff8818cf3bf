"""A parallel C build, untraced and under strace and traced.

    .venv/bin/python bench/build.py [--rounds N] [--quick] [--files N]

What is measured: the wall time of ``make -j2`` on a generated C project (one ``.c`` file
per module, a few project headers, a Makefile that compiles each file with ``gcc -O2``
and links them), run untraced, under ``strace -f``, under ``strace -f --seccomp-bpf`` and
under ``traced launch`` (in this process with ``--no-daemon`` and through a daemon started
for the benchmark on a private socket), with two filters: ``-e trace=connect`` and
``-e trace=%process,%file``.

Why a build: it is a real workload of many short processes.  With ``trace=connect``
nothing a compiler does is stopped, so a seccomp-based tracer costs only the in-kernel
filter on every syscall plus what it does for every process: fork/clone, exec and exit
events (``gcc``, ``cc1``, ``as`` for each file; the trace check below counts them), and
for traced its own startup (mostly Python imports; run.py's "Fixed startup" measures it).  Plain
``strace -f`` stops on every syscall of every process whatever it prints, hence the
``--seccomp-bpf`` variant, which is the fair comparison.  ``trace=%process,%file``
stops on every exec/open/stat of the compilers, which adds the per-stop cost of decoding
and formatting.

Fairness: every variant times the same ``make -j2`` (after an untimed ``make clean``), and
each round runs every variant once, in a fixed order, so slow drifts in the machine's
load hit all of them alike; the report gives medians over the rounds.  The trace goes to
``-o /dev/null`` for both tracers: both still decode and format every stopped syscall,
only the write is free (an ``-o FILE`` run of each is made once per filter, untimed, to
check that the two tracers see about the same syscalls, and to count the processes the
build starts).  A build that fails under any
variant aborts the benchmark: a timing is only taken from a build that exited 0.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from daemon_client import running_daemon
from measure import (
    BenchError,
    first_line,
    note,
    report_head,
    syscall_counts,
    time_run,
    venv_bin,
)

TITLE = "Build benchmark (`make -j2`)"
MAKE = ["make", "-j2"]
FILTERS = ("trace=connect", "trace=%process,%file")
DEFAULT_FILES = 150
QUICK_FILES = 120
FUNCTIONS_PER_FILE = 5
FILES_PER_GROUP = 10
# A build takes seconds under any variant; one still running after this has hung.
RUN_TIMEOUT_S = 120.0
# Each new process is one of these calls in its parent (strace -f prints it once).
PROCESS_CALLS = ("clone", "clone3", "fork", "vfork")
STARTUP_RUNS = 3  # traced's fixed startup, timed this many times a round
# The targets of the issue, for trace=connect.
UNTRACED_TARGET = 1.05
STRACE_BPF_TARGET = 1.0
UNTRACED = "untraced"
STRACE = "strace -f"
STRACE_BPF = "strace -f --seccomp-bpf"
TRACED = "traced (in-process)"
TRACED_DAEMON = "traced (daemon)"


# ---------------------------------------------------------------- the generated project


def _numbers(rng: random.Random, count: int) -> str:
    return ", ".join(str(rng.randrange(1, 1000)) for _ in range(count))


def common_header(files: int) -> str:
    prototypes = "\n".join(f"long module_{i}_run(const char *arg);" for i in range(files))
    return f"""#ifndef COMMON_H
#define COMMON_H
#include <stddef.h>
#define ROTL(x, r) (((x) << (r)) | ((x) >> (32 - (r))))
#define CLAMP(v, lo, hi) ((v) < (lo) ? (lo) : (v) > (hi) ? (hi) : (v))
struct record {{ char name[32]; int values[16]; double weight; unsigned flags; }};
static inline unsigned mix32(unsigned x) {{
    x ^= x >> 16; x *= 0x7feb352dU; x ^= x >> 15; x *= 0x846ca68bU; x ^= x >> 16;
    return x;
}}
{prototypes}
#endif
"""


def group_header(group: int) -> str:
    return f"""#ifndef GROUP_{group}_H
#define GROUP_{group}_H
#include "common.h"
static inline int group_{group}_score(const struct record *r) {{
    int s = 0;
    for (int i = 0; i < 16; i++) s += r->values[i] * (i + {group});
    return CLAMP(s, -100000, 100000);
}}
#endif
"""


def _function(module: int, k: int, rng: random.Random) -> str:
    name = f"m{module}_f{k}"
    return f"""static const int {name}_table[24] = {{{_numbers(rng, 24)}}};
static long {name}(struct record *r, const char *arg, long seed) {{
    char buf[96];
    long acc = seed;
    snprintf(buf, sizeof buf, "%s-%d-%ld", arg, {k}, seed);
    memcpy(r->name, buf, sizeof r->name - 1);
    for (int i = 0; i < 16; i++) {{
        r->values[i] = (int)(mix32((unsigned)(acc + i)) % 1000) - {name}_table[i];
        acc += r->values[i] * {name}_table[(i * 7) % 24];
    }}
    for (size_t i = 0; i < strlen(buf); i++) {{
        switch (buf[i] % 5) {{
        case 0: acc ^= ROTL((unsigned)acc, {1 + k % 30}); break;
        case 1: acc += buf[i] * {rng.randrange(3, 97)}; break;
        case 2: acc -= (long)r->weight; break;
        case 3: acc = acc * 31 + {name}_table[i % 24]; break;
        default: r->flags |= 1u << (i % 32); break;
        }}
    }}
    r->weight = acc / {rng.randrange(2, 50)}.0 + strlen(r->name);
    return acc;
}}
"""


def module_source(module: int, functions: int) -> str:
    rng = random.Random(module)
    group = module // FILES_PER_GROUP
    body = "".join(_function(module, k, rng) for k in range(functions))
    calls = "\n".join(f"    acc += m{module}_f{k}(&r, arg, acc);" for k in range(functions))
    return f"""#include <stdio.h>
#include <string.h>
#include "common.h"
#include "group_{group}.h"
{body}
long module_{module}_run(const char *arg) {{
    struct record r;
    long acc = {module};
    memset(&r, 0, sizeof r);
{calls}
    return acc + group_{group}_score(&r);
}}
"""


def main_source(files: int) -> str:
    calls = "\n".join(f"    total += module_{i}_run(arg);" for i in range(files))
    return f"""#include <stdio.h>
#include "common.h"
int main(int argc, char **argv) {{
    const char *arg = argc > 1 ? argv[1] : "build";
    long total = 0;
{calls}
    printf("%ld\\n", total);
    return 0;
}}
"""


MAKEFILE = """CC = gcc
CFLAGS = -O2 -Wall -Iinclude
SRCS = $(wildcard src/*.c)
OBJS = $(SRCS:src/%.c=obj/%.o)
HEADERS = $(wildcard include/*.h)

app: $(OBJS)
\t$(CC) -o $@ $(OBJS)

obj/%.o: src/%.c $(HEADERS) | obj
\t$(CC) $(CFLAGS) -c -o $@ $<

obj:
\tmkdir -p obj

clean:
\trm -rf obj app

.PHONY: clean
"""


def generate(project: Path, files: int, functions: int) -> None:
    """``files`` modules (plus main.c), their headers and the Makefile, in ``project``."""
    (project / "src").mkdir(parents=True)
    (project / "include").mkdir()
    (project / "include" / "common.h").write_text(common_header(files))
    for group in range((files + FILES_PER_GROUP - 1) // FILES_PER_GROUP):
        (project / "include" / f"group_{group}.h").write_text(group_header(group))
    for module in range(files):
        (project / "src" / f"module_{module}.c").write_text(module_source(module, functions))
    (project / "src" / "main.c").write_text(main_source(files))
    (project / "Makefile").write_text(MAKEFILE)


# ---------------------------------------------------------------- variants and running


@dataclass(frozen=True)
class Variant:
    """One way of running ``make -j2``: ``prefix`` goes before it (nothing: untraced)."""

    name: str
    expr: str | None
    prefix: tuple[str, ...]

    @property
    def label(self) -> str:
        return self.name if self.expr is None else f"{self.name} -e {self.expr}"

    def argv(self) -> list[str]:
        return [*self.prefix, *MAKE]


def tracer_variants(expr: str, sock: Path) -> list[Variant]:
    traced = venv_bin("traced")
    out = ("-o", "/dev/null", "-e", expr, "--")
    return [
        Variant(STRACE, expr, ("strace", "-f", *out)),
        Variant(STRACE_BPF, expr, ("strace", "-f", "--seccomp-bpf", *out)),
        Variant(TRACED, expr, (traced, "launch", "-f", "--no-daemon", *out)),
        Variant(
            TRACED_DAEMON, expr, (traced, "--socket", str(sock), "launch", "-f", "--daemon", *out)
        ),
    ]


def all_variants(sock: Path) -> list[Variant]:
    """One round, in the order it runs: the shared untraced build, then each filter's."""
    made = [Variant(UNTRACED, None, ())]
    for expr in FILTERS:
        made += tracer_variants(expr, sock)
    return made


def _tail(path: Path, lines: int = 8, width: int = 160) -> str:
    last = path.read_text(errors="replace").splitlines()[-lines:]
    return "\n".join(line if len(line) <= width else line[:width] + " ..." for line in last)


def timed(argv: list[str], cwd: Path, log_path: Path) -> float:
    """Wall seconds of one build, which must exit 0 (measure.time_run), or an error
    that shows the end of its log."""
    try:
        return time_run(argv, log_path, RUN_TIMEOUT_S, cwd)
    except BenchError as error:
        raise BenchError(f"build failed: {error}; its last lines:\n{_tail(log_path)}") from error


def make_clean(project: Path) -> None:
    subprocess.run(["make", "clean"], cwd=project, check=True, stdout=subprocess.DEVNULL)


def build_once(variant: Variant, project: Path, logs: Path) -> float:
    """``make clean`` (untimed), then the timed ``make -j2`` under ``variant``."""
    make_clean(project)
    slug = re.sub(r"[^a-z0-9]+", "-", variant.label.lower()).strip("-")
    elapsed = timed(variant.argv(), project, logs / f"{slug}.log")
    if not (project / "app").exists():
        raise BenchError(f"{variant.label}: make exited 0 but built no app")
    return elapsed


@dataclass
class Timings:
    runs: dict[Variant, list[float]] = field(default_factory=dict)
    # traced's fixed cost, `launch -e trace=none -- true`, by traced variant name
    startups: dict[str, list[float]] = field(default_factory=dict)

    def add(self, variant: Variant, seconds: float) -> None:
        self.runs.setdefault(variant, []).append(seconds)

    def median(self, variant: Variant) -> float:
        return statistics.median(self.runs[variant])

    def startup(self, name: str) -> float:
        return statistics.median(self.startups[name])


def startup_argvs(sock: Path) -> dict[str, list[str]]:
    """traced doing nothing but start, trace ``true`` and end: its fixed cost."""
    traced, rest = venv_bin("traced"), ["-o", "/dev/null", "-e", "trace=none", "--", "true"]
    return {
        TRACED: [traced, "launch", "-f", "--no-daemon", *rest],
        TRACED_DAEMON: [traced, "--socket", str(sock), "launch", "-f", "--daemon", *rest],
    }


def run_rounds(
    variants: list[Variant], rounds: int, project: Path, logs: Path, sock: Path
) -> Timings:
    timings = Timings()
    for number in range(1, rounds + 1):
        note(f"round {number}/{rounds} (1-min load {os.getloadavg()[0]:.2f})")
        for variant in variants:
            seconds = build_once(variant, project, logs)
            timings.add(variant, seconds)
            note(f"  {variant.label}: {seconds:.2f} s")
        for name, argv in startup_argvs(sock).items():
            for _ in range(STARTUP_RUNS):
                seconds = timed(argv, project, logs / "startup.log")
                timings.startups.setdefault(name, []).append(seconds)
    return timings


# ---------------------------------------------------------------- the trace check


@dataclass(frozen=True)
class TraceCheck:
    expr: str
    traced: Counter[str]
    strace: Counter[str]


def check_traces(expr: str, project: Path, workdir: Path) -> TraceCheck:
    """One untimed build under each tracer with ``-o FILE``; their syscall lines."""
    slug = re.sub(r"[^a-z0-9]+", "-", expr)
    traced_file, strace_file = workdir / f"traced-{slug}.txt", workdir / f"strace-{slug}.txt"
    out = ["-e", expr, "--", *MAKE]
    runs = {
        traced_file: [
            venv_bin("traced"),
            "launch",
            "-f",
            "--no-daemon",
            "-o",
            str(traced_file),
            *out,
        ],
        strace_file: ["strace", "-f", "-o", str(strace_file), *out],
    }
    for trace, argv in runs.items():
        make_clean(project)
        timed(argv, project, trace.with_suffix(".log"))
    return TraceCheck(expr, syscall_counts(traced_file), syscall_counts(strace_file))


# ---------------------------------------------------------------- the report


def head_section(
    argv: Sequence[str] | None, files: int, rounds: int, loads: tuple[float, float]
) -> str:
    extra = [
        f"- make: {first_line(['make', '--version'])}",
        f"- project: {files} modules + main.c, {FUNCTIONS_PER_FILE} functions each, "
        "`gcc -O2`, one link; each timed run is `make -j2` after an untimed `make clean`",
        f"- {rounds} rounds, every variant once a round in a fixed order; medians quoted; "
        "trace output `-o /dev/null` for both tracers",
        f"- 1-min load average: {loads[0]:.2f} at the start, {loads[1]:.2f} at the end "
        "(other jobs may share the machine)",
    ]
    return "\n".join(report_head(TITLE, __file__, argv, extra)).rstrip()


def ratio(value: float) -> str:
    return f"{value:.3f}x"


def table_row(timings: Timings, variant: Variant, base: float, bpf: float) -> str:
    runs, median = timings.runs[variant], timings.median(variant)
    cells = [
        variant.name,
        f"{median:.2f}",
        f"{min(runs):.2f}-{max(runs):.2f}",
        ratio(median / base),
        ratio(median / bpf),
    ]
    return "| " + " | ".join(cells) + " |"


def filter_section(expr: str, timings: Timings, untraced: Variant) -> str:
    chosen = [untraced, *(v for v in timings.runs if v.expr == expr)]
    base = timings.median(untraced)
    bpf = next(timings.median(v) for v in chosen if v.name == STRACE_BPF)
    header = "| variant | median s | min-max s | vs untraced | vs strace --seccomp-bpf |"
    rows = [table_row(timings, v, base, bpf) for v in chosen]
    return "\n".join([f"### `-e {expr}`", "", header, "|---|---|---|---|---|", *rows])


def mark(value: float, target: float) -> str:
    return "✓" if value <= target else "✗"


def target_lines(timings: Timings) -> list[str]:
    """The two targets, for both traced variants, with -e trace=connect."""
    by_name = {v.name: timings.median(v) for v in timings.runs if v.expr in (None, FILTERS[0])}
    lines = ["### Targets (`-e trace=connect`)", ""]
    for name in (TRACED, TRACED_DAEMON):
        vs_base, vs_bpf = by_name[name] / by_name[UNTRACED], by_name[name] / by_name[STRACE_BPF]
        lines += [
            f"- `-e {FILTERS[0]}`: {name} / untraced = {ratio(vs_base)} "
            f"(target ≤ {UNTRACED_TARGET}) "
            f"{mark(vs_base, UNTRACED_TARGET)}",
            f"- `-e {FILTERS[0]}`: {name} / strace --seccomp-bpf = {ratio(vs_bpf)} "
            f"(target ≤ {STRACE_BPF_TARGET}) "
            f"{mark(vs_bpf, STRACE_BPF_TARGET)}",
        ]
    return lines


def check_section(checks: list[TraceCheck]) -> str:
    lines = [
        "### Trace check (one untimed `-o FILE` build each)",
        "",
        "| filter | traced lines | strace -f lines | largest differences by name |",
        "|---|---|---|---|",
    ]
    for check in checks:
        diff = Counter(check.traced)
        diff.subtract(check.strace)
        worst = sorted(diff.items(), key=lambda item: -abs(item[1]))[:3]
        shown = ", ".join(f"{name} {n:+d}" for name, n in worst if n) or "none"
        lines.append(
            f"| `{check.expr}` | {check.traced.total()} | {check.strace.total()} | {shown} |"
        )
    return "\n".join(lines)


def process_lines(timings: Timings, checks: list[TraceCheck]) -> list[str]:
    """How many processes a build starts, from strace's ``%process`` trace, and what each
    costs every tracer with ``trace=connect`` (where little else is stopped)."""
    process = next((c.strace for c in checks if "%process" in c.expr), None)
    if process is None:
        return []
    started = sum(process[name] for name in PROCESS_CALLS)
    lines = [
        f"- processes the build starts: {started:,} ({'/'.join(PROCESS_CALLS)} lines in "
        f"strace's `%process` trace), execve calls: {process['execve']:,}"
    ]
    if started:
        base = timings.median(next(v for v in timings.runs if v.expr is None))
        costs = ", ".join(
            f"{v.name} {(timings.median(v) - base) / started * 1e6:,.0f} µs"
            for v in timings.runs
            if v.expr == FILTERS[0]
        )
        lines.append(
            f"- `-e {FILTERS[0]}`, wall time over untraced per process started "
            f"(`make -j2`, so two at a time; traced's include its own startup): {costs}"
        )
    return lines


def startup_lines(timings: Timings) -> list[str]:
    """The connect build's ratios once traced's fixed startup is taken off: what is
    left is what tracing the build's processes cost."""
    by_name = {v.name: timings.median(v) for v in timings.runs if v.expr in (None, FILTERS[0])}
    lines = [
        f"- traced's fixed startup, timed in the same rounds ({STARTUP_RUNS} runs a round of "
        "`traced launch -o /dev/null -e trace=none -- true`, medians): "
        + ", ".join(f"{name} {timings.startup(name):.3f} s" for name in (TRACED, TRACED_DAEMON))
    ]
    for name in (TRACED, TRACED_DAEMON):
        rest = by_name[name] - timings.startup(name)
        lines.append(
            f"- `-e {FILTERS[0]}`, {name} less that startup: "
            f"{ratio(rest / by_name[UNTRACED])} untraced, "
            f"{ratio(rest / by_name[STRACE_BPF])} strace --seccomp-bpf"
        )
    return lines


def report(info: str, timings: Timings, checks: list[TraceCheck]) -> str:
    untraced = next(v for v in timings.runs if v.expr is None)
    sections = [info, *(filter_section(e, timings, untraced) for e in FILTERS)]
    sections += ["\n".join(target_lines(timings)), check_section(checks)]
    sections += ["\n".join([*process_lines(timings, checks), *startup_lines(timings)])]
    return "\n\n".join(sections) + "\n"


# ---------------------------------------------------------------- the command line


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, help="rounds (default 5, --quick too)")
    # 5 rounds even when quick: with 3, the medians moved by 4% from run to run, as much
    # as the distance between traced, strace and the target.
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_FILES} files")
    parser.add_argument("--files", type=int, help=f"modules to generate (default {DEFAULT_FILES})")
    args = parser.parse_args(argv)
    args.rounds = args.rounds or 5
    args.files = args.files or (QUICK_FILES if args.quick else DEFAULT_FILES)
    return args


def build_bench_args(argv: Sequence[str] | None, description: str) -> argparse.Namespace:
    """--rounds, --quick and --files, as the benches on this build take them (predicates,
    paths): 3 rounds when quick, else 5."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--rounds", type=int, help="rounds (default 5, --quick 3)")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_FILES} files")
    parser.add_argument("--files", type=int, help=f"modules to generate (default {DEFAULT_FILES})")
    args = parser.parse_args(argv)
    args.rounds = args.rounds or (3 if args.quick else 5)
    args.files = args.files or (QUICK_FILES if args.quick else DEFAULT_FILES)
    return args


def rotated_rounds(variants: list[Variant], rounds: int, project: Path, logs: Path) -> Timings:
    """Each variant built once a round, the order rotated each round, so that a drift
    of the machine's load hits each alike."""
    timings = Timings()
    for number in range(1, rounds + 1):
        note(f"round {number}/{rounds} (1-min load {os.getloadavg()[0]:.2f})")
        turn = number % len(variants)
        for variant in variants[turn:] + variants[:turn]:
            seconds = build_once(variant, project, logs)
            timings.add(variant, seconds)
            note(f"  {variant.name}: {seconds:.2f} s")
    return timings


def prepare(workdir: Path, files: int) -> Path:
    """Generate the project and build it once (untimed): a warm cache, a working build."""
    project = workdir / "project"
    generate(project, files, FUNCTIONS_PER_FILE)
    note(f"generated {files} modules in {project}; warm-up build")
    build_once(Variant(UNTRACED, None, ()), project, workdir)
    return project


def bench(args: argparse.Namespace, argv: Sequence[str] | None, workdir: Path) -> str:
    project = prepare(workdir, args.files)
    start_load = os.getloadavg()[0]
    with running_daemon(workdir) as daemon:
        sock = daemon.socket
        timings = run_rounds(all_variants(sock), args.rounds, project, workdir, sock)
    note("checking the traces (untimed)")
    checks = [check_traces(expr, project, workdir) for expr in FILTERS]
    info = head_section(argv, args.files, args.rounds, (start_load, os.getloadavg()[0]))
    return report(info, timings, checks)


def in_workdir(name: str, work: Callable[[Path], str]) -> int:
    """Print the report ``work`` makes in a new temporary folder, then remove it; on a
    BenchError say why and keep the folder, whose logs tell more.  A bench's exit code."""
    workdir = Path(tempfile.mkdtemp(prefix=f"traced-{name}-bench-"))
    try:
        print(work(workdir), end="")
    except BenchError as error:
        print(f"bench: error: {error}\nbench: logs kept in {workdir}", file=sys.stderr)
        return 1
    shutil.rmtree(workdir)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    return in_workdir("build", lambda workdir: bench(args, argv, workdir))


if __name__ == "__main__":
    sys.exit(main())
