"""The kernel's floor under "filtered-out syscalls cost no more than untraced".

    .venv/bin/python bench/seccomp_floor.py [--runs N]

Compiles bench/seccomp_floor.c (``gcc -O2``) and runs it N times: each run times
2,000,000 ``getppid`` calls, installs a one-instruction allow-all seccomp filter (no
tracer at all) and times them again.  The ratio is what any seccomp-based tracer's
filter costs at the least on the cheapest syscall; run.py's filtered-out target
(≤ 1.03x untraced) is read against it.  A few seconds in all.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from measure import compile_program, note, report_head

SOURCE = Path(__file__).resolve().parent / "seccomp_floor.c"
TITLE = "Seccomp floor: getppid with an allow-all filter and no tracer, against none"
RATIO = re.compile(r"ratio ([0-9.]+)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="traced-floor-") as tmp:
        binary = compile_program(SOURCE, Path(tmp) / "seccomp_floor")
        lines = []
        for run in range(args.runs):
            out = subprocess.run([str(binary)], capture_output=True, text=True, check=True)
            lines.append(out.stdout.strip())
            note(f"run {run + 1}/{args.runs}: {lines[-1]}")
    ratios = [float(match.group(1)) for line in lines if (match := RATIO.search(line))]
    print("\n".join(report_head(TITLE, __file__, argv)))
    print("\n".join(f"- {line}" for line in lines))
    print(
        f"\nMedian ratio over {len(ratios)} runs: **{statistics.median(ratios):.3f}x** "
        "(the least any seccomp filter adds to a getppid loop)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
