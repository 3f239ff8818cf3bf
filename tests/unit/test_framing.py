"""LineDecoder and encode: bytes in, lines out, whatever the chunking."""

from __future__ import annotations

import itertools
import json

from hypothesis import given
from hypothesis import strategies as st

from traced.wire.framing import DEFAULT_MAX_LINE, Line, LineDecoder, Oversized, Truncated, encode


def feed_all(decoder: LineDecoder, chunks: list[bytes]) -> list[object]:
    return [frame for chunk in chunks for frame in decoder.feed(chunk)]


def bytewise(data: bytes) -> list[bytes]:
    return [data[i : i + 1] for i in range(len(data))]


def test_a_line_split_byte_by_byte() -> None:
    decoder = LineDecoder()
    frames = feed_all(decoder, bytewise(b'{"id":1,"op":"list"}\n'))
    assert frames == [Line(b'{"id":1,"op":"list"}')]
    assert decoder.close() == []


def test_nothing_before_the_newline() -> None:
    decoder = LineDecoder()
    assert decoder.feed(b'{"id":1,') == []
    assert decoder.feed(b'"op":"list"}') == []
    assert decoder.feed(b"\n") == [Line(b'{"id":1,"op":"list"}')]


def test_several_lines_in_one_feed() -> None:
    decoder = LineDecoder()
    assert decoder.feed(b"a\nbb\n\nccc\nd") == [Line(b"a"), Line(b"bb"), Line(b""), Line(b"ccc")]
    assert decoder.feed(b"\n") == [Line(b"d")]


def test_the_default_limit_is_sixteen_mebibytes() -> None:
    # Room for a launch of the kernel's largest argv and environment (6 MiB), or
    # of the usual 2 MiB with every byte escaped as \u0001 (issue 13.3).
    assert LineDecoder().max_line == DEFAULT_MAX_LINE == 16 * 1024 * 1024


def test_a_line_of_exactly_the_limit_is_accepted() -> None:
    decoder = LineDecoder(max_line=8)
    assert decoder.feed(b"12345678") == []
    assert decoder.feed(b"\n") == [Line(b"12345678")]
    assert decoder.feed(b"abcdefgh\n") == [Line(b"abcdefgh")]


def test_an_oversized_line_is_reported_once_and_the_next_parses() -> None:
    decoder = LineDecoder(max_line=8)
    assert decoder.feed(b"123456789\nok\n") == [Oversized(9), Line(b"ok")]


def test_oversize_without_newline_across_feeds_is_reported_once() -> None:
    decoder = LineDecoder(max_line=8)
    frames = feed_all(decoder, [b"12345", b"6789", b"abcdefghijk", b"lmnop", b"q\nnext\n"])
    assert frames == [Oversized(9), Line(b"next")]


def test_oversize_reported_at_the_first_byte_past_the_limit() -> None:
    decoder = LineDecoder(max_line=4)
    frames = feed_all(decoder, bytewise(b"abcdefgh\nxy\n"))
    assert frames == [Oversized(5), Line(b"xy")]


def test_truncated_at_close() -> None:
    decoder = LineDecoder()
    assert decoder.feed(b'{"id":1}\n{"id":2,') == [Line(b'{"id":1}')]
    assert decoder.close() == [Truncated(b'{"id":2,')]


def test_close_after_a_complete_line_reports_nothing() -> None:
    decoder = LineDecoder()
    decoder.feed(b"whole\n")
    assert decoder.close() == []


def test_close_inside_an_oversized_line_reports_nothing_more() -> None:
    decoder = LineDecoder(max_line=4)
    assert decoder.feed(b"abcdefgh") == [Oversized(8)]
    assert decoder.close() == []


def chunked(data: bytes, cuts: list[int]) -> list[bytes]:
    """``data`` split at the given offsets (taken modulo its length, sorted)."""
    points = sorted({cut % (len(data) + 1) for cut in cuts} | {0, len(data)})
    return [data[start:end] for start, end in itertools.pairwise(points)]


LINE = st.binary(max_size=24).map(lambda data: data.replace(b"\n", b""))
CUTS = st.lists(st.integers(min_value=0, max_value=10_000), max_size=20)


@given(lines=st.lists(LINE, max_size=12), cuts=CUTS)
def test_any_chunking_yields_exactly_the_lines(lines: list[bytes], cuts: list[int]) -> None:
    decoder = LineDecoder(max_line=24)
    frames = feed_all(decoder, chunked(b"".join(line + b"\n" for line in lines), cuts))
    assert frames == [Line(line) for line in lines]
    assert decoder.close() == []


@given(lines=st.lists(LINE, max_size=12), cuts=CUTS)
def test_any_chunking_reports_each_oversized_line_once(lines: list[bytes], cuts: list[int]) -> None:
    decoder = LineDecoder(max_line=8)
    frames = feed_all(decoder, chunked(b"".join(line + b"\n" for line in lines), cuts))
    kept = [frame.data if isinstance(frame, Line) else None for frame in frames]
    assert kept == [line if len(line) <= 8 else None for line in lines]
    assert all(frame.seen > 8 for frame in frames if isinstance(frame, Oversized))


def test_encode_is_one_compact_utf8_line() -> None:
    message = {"type": "exec", "path": "/tmp/caf\u00e9", "argv": ["printf", "a\nb"]}
    data = encode(message)
    assert data.endswith(b"\n") and data.count(b"\n") == 1
    assert "caf\u00e9".encode() in data
    assert b", " not in data and b": " not in data
    assert json.loads(data) == message


@given(
    message=st.dictionaries(
        st.text(max_size=8),
        st.none() | st.booleans() | st.integers() | st.text(max_size=16),
        max_size=6,
    )
)
def test_encode_round_trips_through_the_decoder(message: dict[str, object]) -> None:
    data = encode(message)
    [frame] = LineDecoder().feed(data)
    assert isinstance(frame, Line) and json.loads(frame.data) == message
