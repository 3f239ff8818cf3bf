"""tracefile.py: a trace output that fails counts exactly what it did not write."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from traced.cli.tracefile import BLOCK, Discarded, TraceFile, loss_notice


def test_a_file_on_a_full_device_counts_every_line_it_could_not_write() -> None:
    out = TraceFile("/dev/full")
    for n in range(5):
        out.write(f"line {n}\n")
    out.write("half a line")
    out.close()  # nothing raised: the command's outcome is not ours to change
    assert out.error is not None and out.error.errno == errno.ENOSPC
    assert out.lines_lost == 5
    out.write(" and its end\n")  # what comes after is counted, never written
    assert out.lines_lost == 6


def test_a_file_that_works_is_written_in_blocks_and_whole(tmp_path: Path) -> None:
    out = TraceFile(str(tmp_path / "trace"))
    lines = [f"{n:09}\n" for n in range(2 * BLOCK // 10)]
    for line in lines:
        out.write(line)
    out.close()
    assert (tmp_path / "trace").read_text() == "".join(lines)
    assert (out.error, out.lines_lost, loss_notice([out])) == (None, 0, None)


def test_the_notice_names_the_file_the_reason_and_the_count() -> None:
    first = Discarded("out.12", OSError(errno.EMFILE, "Too many open files"), 3)
    second = Discarded("out.13", OSError(errno.EMFILE, "Too many open files"), 4)
    assert loss_notice([first, second]) == (
        "cannot write the trace to out.12 and 1 other files: Too many open files (EMFILE); "
        "7 lines of the trace were not written"
    )


def test_a_reader_that_went_away_is_no_loss_to_report() -> None:
    read, write = os.pipe()
    os.close(read)
    out = TraceFile("standard output", fd=write)
    out.write("a line\n")
    out.close()  # not ours: left open
    os.close(write)
    assert isinstance(out.error, BrokenPipeError) and out.lines_lost == 1
    assert loss_notice([out]) is None
