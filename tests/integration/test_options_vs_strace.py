"""strace's output options, each run under strace and traced on the same program:
the text lines must be the same after the corpus normalization (corpus.py).

Every line counts here, whatever its class: these are small programs whose
every line strace and traced should agree on.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from tests.integration.corpus import normalize, run_pair, tracer_env

pytestmark = pytest.mark.integration

COMMAND = ["ls", "-l", "/etc/hostname", "/nonexistent"]
OPTION_SETS = [
    ["-y"],
    ["-e", "raw=openat,read"],
    ["-v", "-e", "trace=%file,%desc"],
    ["-s", "8", "-e", "trace=read,write"],
    ["-s", "0", "-e", "trace=read,write"],
    ["-e", "trace=%file", "-z"],
    ["-e", "trace=%desc", "-Z"],
    ["-P", "/etc/hostname"],
    ["-e", "trace=none"],
    ["-e", "trace=openat", "-e", "signal=none"],
    ["-X", "raw", "-e", "trace=%file,mmap,mprotect,lseek,fcntl,socket"],
    ["-X", "verbose", "-e", "trace=%file,mmap,mprotect,lseek,fcntl,socket"],
    ["-xx", "-y", "-e", "trace=%file,read,write"],
    ["-x", "-e", "trace=read,write"],
    ["--strings-in-hex=non-ascii-chars", "-e", "trace=read,write"],
    ["-n", "-e", "trace=%file,%desc"],
    ["-e", "verbose=none", "-e", "trace=%file,%desc"],
    ["-yy", "-e", "trace=openat,newfstatat,statx,write,lseek"],
    ["-e", "decode-fds=dev", "-e", "trace=%file,%desc"],
    ["-e", "write=1", "-e", "read=3", "-e", "trace=read,write"],
    ["-qq", "-e", "trace=%file"],
    ["--quiet=exit", "-n", "-e", "trace=%desc"],
]


@pytest.mark.parametrize("options", OPTION_SETS, ids=" ".join)
def test_option_prints_what_strace_prints(
    options: list[str], strace_tool: str, short_dir: Path
) -> None:
    strace, traced = run_pair(COMMAND, options, short_dir, tracer_env())
    assert strace, "strace wrote nothing"
    theirs = [f"{line.pid} {line.text}" for line in normalize(strace)]
    ours = [f"{line.pid} {line.text}" for line in normalize(traced)]
    print(f"\n{' '.join(options)}: {len(theirs)} lines from strace, {len(ours)} from traced")
    assert ours == theirs, "\n".join(difflib.unified_diff(theirs, ours, "strace", "traced", n=1))
