"""How many of traced's text lines equal strace's, for one command.

    .venv/bin/python scripts/strace_text_agreement.py -- ls -l /etc/hostname

Runs the command under ``strace -f -o`` and ``traced launch -o``, drops the pid
column, masks addresses (0x...), and counts equal lines position by position.
A first measure for issue 4's corpus test; it prints the lines that differ.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

_ADDRESS = re.compile(r"0x[0-9a-f]+")


def _lines(path: Path) -> list[str]:
    lines = []
    for line in path.read_text(errors="replace").splitlines():
        head, _, rest = line.partition(" ")
        lines.append(_ADDRESS.sub("ADDR", rest.lstrip() if head.isdigit() else line))
    return lines


def main(argv: list[str]) -> int:
    command = argv[1:] if argv[:1] == ["--"] else argv
    with tempfile.TemporaryDirectory() as folder:
        ours, theirs = Path(folder, "traced"), Path(folder, "strace")
        traced = [sys.executable, "-m", "traced", "launch", "--no-daemon", "-f", "-o", str(ours)]
        for run in (["strace", "-f", "-o", str(theirs), *command], [*traced, "--", *command]):
            subprocess.run(run, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        mine, reference = _lines(ours), _lines(theirs)
    pairs = list(zip(mine, reference, strict=False))
    for got, want in pairs:
        if got != want:
            print(f"traced: {got}\nstrace: {want}")
    same = sum(got == want for got, want in pairs)
    print(f"{same} of {len(reference)} lines identical ({len(mine)} lines from traced)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
