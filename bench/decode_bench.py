"""What full argument decoding costs: events per second through decode and encode.

    .venv/bin/python bench/decode_bench.py [--events N] [--rounds R] [--e2e-rounds K]

Two pipelines turn the same syscall stops into JSON lines:

* ``raw``: what traced does with ``-e raw=all``: names plus every argument as
  its register in hex, through the same ``decode_entry``/``decode_exit``;
* ``full``: what traced does by default, ``decode_entry`` at entry and ``decode_exit``
  at exit (paths, flags, structs, buffers, argv/envp read from memory).

Both build the same frozen ``SyscallEvent`` and encode it with
``event_json``, as the daemon does once per event.  The stops are the mix
``strace -c`` counts for ``ls -l /etc`` (getxattr, statx, openat ...), over memory
held in a bytes buffer, so the figure is the decoders' own cost without process_vm_readv
(the tracing benchmark, bench/run.py, measures that).  Rounds alternate the two
pipelines; the report is the median of each and their ratio.  Target: full
decoding costs at most 25% over raw (ratio <= 1.25).

The end-to-end part traces a real program (``ls -lR /usr/share/doc``, some 21000
syscalls, mostly statx/getxattr/openat) with ``traced launch --json -o
/dev/null``, decoding fully, and again with ``-e raw=all`` (strace's own switch
for undecoded arguments: names plus raw integers), alternating, and reports the
median wall times, their ratio, and the untraced run's.
"""

from __future__ import annotations

import argparse
import random
import statistics
import struct
import subprocess
import sys
import time

from traced.decoders.arguments import decode_entry, decode_exit
from traced.decoders.values import DEFAULT_OPTIONS, Options
from traced.events import Arg, SyscallEvent, event_json
from traced.filter.expression import parse_filter
from traced.syscalls.arch import host_arch

BASE = 0x7F0000000000
TARGET = 1.25  # full decoding's time, x raw's
# What `-e raw=all` makes of the options: every syscall's arguments left undecoded.
RAW = Options(raw=parse_filter(["raw=all"], host_arch()).raw)


class BufferMemory:
    """Tracee memory as one bytes buffer mapped at BASE."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def read(self, address: int, size: int) -> bytes:
        offset = address - BASE
        if not 0 <= offset < len(self.data):
            raise OSError(14, "Bad address")
        return self.data[offset : offset + size]

    def cstring(self, address: int, limit: int = 4096) -> bytes:
        return self.read(address, limit).split(b"\0", 1)[0]


def _memory() -> tuple[BufferMemory, dict[str, int]]:
    """Strings, a stat struct, an ELF header and argv/envp arrays, at known places."""
    layout: dict[str, int] = {}
    blob = bytearray()

    def put(key: str, data: bytes) -> None:
        layout[key] = BASE + len(blob)
        blob.extend(data + b"\0" * (-len(data) % 16 + 16))

    put("path", b"/usr/lib/x86_64-linux-gnu/libselinux.so.1\0")
    put("empty", b"\0")
    put(
        "stat",
        struct.pack(
            "<QQQIIIIQqqqqqqqqq",
            2049,
            131,
            1,
            0o100644,
            0,
            0,
            0,
            0,
            174312,
            4096,
            344,
            1,
            0,
            2,
            0,
            3,
            0,
        ),
    )
    put("elf", b"\x7fELF\x02\x01\x01\x03" + bytes(824))
    put("text", b"-rw-r--r-- 1 root root 3028 Nov 25 18:15 adduser.conf\n")
    strings = [b"ls\0", b"-l\0", b"/etc\0"] + [b"VAR%d=value\0" % i for i in range(30)]
    pointers = []
    for index, item in enumerate(strings):
        put(f"s{index}", item)
        pointers.append(layout[f"s{index}"])
    put("xattr", b"system.posix_acl_access\0")
    put("statx", struct.pack("<IIQIIIHH", 0x17FF, 4096, 0, 1, 0, 0, 0o100644, 0) + bytes(224))
    put("argv", struct.pack("<4Q", *pointers[:3], 0))
    put("envp", struct.pack(f"<{len(pointers) - 2}Q", *pointers[3:], 0))
    return BufferMemory(bytes(blob)), layout


Stop = tuple[str, tuple[int, ...], int]  # name, registers, return value


# How often each syscall occurs in ``strace -c -f ls -l /etc`` (strace 6.1, this VM).
_WEIGHTS = {
    "getxattr": 201, "statx": 136, "lgetxattr": 136, "openat": 47, "newfstatat": 37,
    "close": 34, "mmap": 30, "read": 16, "lseek": 6, "mprotect": 5, "connect": 4,
    "socket": 4, "readlink": 4, "brk": 3, "getdents64": 2, "write": 2, "execve": 1,
}  # fmt: skip
ENODATA, ENOENT = 61, 2


def _stops(at: dict[str, int]) -> list[Stop]:
    """The syscalls of ``ls -l /etc``, each as often as it occurs there."""
    at_fdcwd = 2**64 - 100
    one_of_each: dict[str, Stop] = {
        "getxattr": ("getxattr", (at["path"], at["xattr"], 0, 0, 0, 0), -ENODATA),
        "lgetxattr": ("lgetxattr", (at["path"], at["xattr"], 0, 0, 0, 0), -ENODATA),
        "statx": ("statx", (at_fdcwd, at["path"], 0x900, 0x25E, at["statx"], 0), 0),
        "openat": ("openat", (at_fdcwd, at["path"], 0o2000000, 0, 0, 0), 3),
        "read": ("read", (3, at["elf"], 832, 0, 0, 0), 832),
        "newfstatat": ("newfstatat", (3, at["empty"], at["stat"], 0x1000, 0, 0), 0),
        "mmap": ("mmap", (0, 174312, 1, 0x802, 3, 0), BASE),
        "mprotect": ("mprotect", (BASE, 4096, 0, 0, 0, 0), 0),
        "close": ("close", (3, 0, 0, 0, 0, 0), 0),
        "lseek": ("lseek", (3, 0, 1, 0, 0, 0), 0),
        "write": ("write", (1, at["text"], 54, 0, 0, 0), 54),
        "brk": ("brk", (0, 0, 0, 0, 0, 0), BASE),
        "socket": ("socket", (1, 0o2004001, 0, 0, 0, 0), 3),
        "connect": ("connect", (3, at["text"], 110, 0, 0, 0), -ENOENT),
        "readlink": ("readlink", (at["path"], at["text"], 4096, 0, 0, 0), 20),
        "getdents64": ("getdents64", (3, at["elf"], 32768, 0, 0, 0), 0),
        "execve": ("execve", (at["s0"], at["argv"], at["envp"], 0, 0, 0), 0),
    }
    stops = [one_of_each[name] for name, weight in _WEIGHTS.items() for _ in range(weight)]
    random.Random(4).shuffle(stops)
    return stops


def decoded(stop: Stop, memory: BufferMemory, options: Options) -> tuple[Arg, ...]:
    """A stop's arguments as the reactor decodes them, with ``options``."""
    name, raw, retval = stop
    args = decode_entry(name, raw, memory, options=options)
    if retval < 0:
        return args  # as the reactor: outputs only after success
    return decode_exit(name, args, raw, memory, retval=retval, options=options)


def _encode(stop: Stop, args: tuple[Arg, ...], seq: int) -> bytes:
    event = SyscallEvent(
        session="bench", pid=1000, tid=1000, ts_ns=seq, nr=0, name=stop[0], arch="x86_64",
        args=args, duration_ns=1000, retval=max(stop[2], -1), error="E" if stop[2] < 0 else None,
    )  # fmt: skip
    return event_json(event)


def events_per_second(options: Options, stops: list[Stop], memory: BufferMemory, n: int) -> float:
    start = time.perf_counter()
    for seq in range(n):
        stop = stops[seq % len(stops)]
        _encode(stop, decoded(stop, memory, options), seq)
    return n / (time.perf_counter() - start)


E2E_COMMAND = ["ls", "-lR", "/usr/share/doc"]


def _wall(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def end_to_end(rounds: int) -> None:
    traced = [
        sys.executable,
        "-m",
        "traced",
        "launch",
        "-f",
        "--no-daemon",
        "--json",
        "-o",
        "/dev/null",
    ]
    runs = {
        "untraced": E2E_COMMAND,
        "traced, -e raw=all": [*traced, "-e", "raw=all", "--", *E2E_COMMAND],
        "traced, full decoding": [*traced, "--", *E2E_COMMAND],
    }
    times: dict[str, list[float]] = {key: [] for key in runs}
    for _ in range(rounds):
        for key, command in runs.items():
            times[key].append(_wall(command))
    medians = {key: statistics.median(values) for key, values in times.items()}
    print(f"\nend to end: {' '.join(E2E_COMMAND)}, {rounds} rounds (medians)")
    print("| run | wall s |\n|---|---|")
    for key, value in medians.items():
        print(f"| {key} | {value:.3f} |")
    ratio = medians["traced, full decoding"] / medians["traced, -e raw=all"]
    print(f"\n- {verdict('end to end: traced, full decoding / traced -e raw=all', ratio)}")


def verdict(what: str, ratio: float) -> str:
    return f"{what} = **{ratio:.2f}x** (target ≤ {TARGET}) {'✓' if ratio <= TARGET else '✗'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=60_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--e2e-rounds", type=int, default=7, help="0: skip the end-to-end part")
    options = parser.parse_args()
    memory, layout = _memory()
    stops = _stops(layout)
    rates: dict[str, list[float]] = {"raw": [], "full": []}
    for _ in range(options.rounds):
        rates["raw"].append(events_per_second(RAW, stops, memory, options.events))
        rates["full"].append(events_per_second(DEFAULT_OPTIONS, stops, memory, options.events))
    raw, full = (statistics.median(rates[key]) for key in ("raw", "full"))
    print("## Decoding: what full argument decoding costs\n")
    print(f"events per round: {options.events}, rounds: {options.rounds} (medians)")
    print(
        f"| pipeline | events/s |\n|---|---|\n| -e raw=all (names + hex registers) | {raw:,.0f} |"
    )
    print(f"| full decoding | {full:,.0f} |")
    what = "decode + encode only: full decoding / -e raw=all, time per event"
    print(f"\n- {verdict(what, raw / full)}")
    if options.e2e_rounds:
        end_to_end(options.e2e_rounds)


if __name__ == "__main__":
    main()
