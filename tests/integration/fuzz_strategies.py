"""Hypothesis strategies for fuzzing the daemon's socket: each draws one line a
client could send and what protocol/PROTOCOL.md says must answer it.

The expectations come from the contract, not from the daemon's code: section 2
(framing: what a line that is too long, not UTF-8 JSON, or not an object gets),
section 4 (every request line gets exactly one answer, ids echoed when they are
integers or strings, the error codes) and section 5 (each op's fields, types and
errors).  Nothing here imports traced.

Safety: the daemon under test runs as root and really launches and attaches, so
no generated line may ever be a request to launch a program that exists or to
attach to a process that exists, even if the daemon wrongly accepted a value of
the wrong type.  Launches name a program that cannot be found; attaches name a
pid above PID_MAX_LIMIT, which no process can have.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

MAX_LINE = 8192  # the fuzzed daemon's max_line: room for a 4301-digit number, cheap to exceed
NO_SUCH_PID = (1 << 22) + 1  # PID_MAX_LIMIT + 1 (include/linux/threads.h): never a pid
NO_SUCH_PROGRAM = "/nonexistent/traced-fuzz"  # absolute: the daemon does not search PATH
NO_SUCH_SESSION = "no-such-session"
RESPONSE = "response"  # in an Expect's codes: a response is the right answer
# PROTOCOL.md section 4, the code table.  "truncated" is never sent, so it is not here.
DOCUMENTED_CODES = frozenset(
    {
        "malformed",
        "line_too_long",
        "unknown_op",
        "invalid",
        "unknown_syscall",
        "bad_filter",
        "not_found",
        "permission_denied",
        "spawn_failed",
        "attach_failed",
        "limit",
        "internal",
    }
)
ANY_ANSWER = (DOCUMENTED_CODES - {"internal"}) | {RESPONSE}
OPS = ("launch", "attach", "detach", "signal", "list", "subscribe", "stats")  # hello capabilities
HARMLESS_SIGNALS = ("SIGCONT", "winch", "Urg", "SIGCHLD", 18, 28, 23, 17)  # default: ignore
UNKNOWN_SIGNALS = ("SIGFOO", "", "SIG", "KILLALL", 0, -1, 65, 1 << 70)

RequestId = int | str
Json = Any  # a value json.dumps takes


@dataclass(frozen=True)
class Expect:
    """The one answer a line must get: its ``id`` and one of ``codes``.

    ``or_malformed``: the line is valid JSON that a parser may refuse for its
    nesting depth or number size (RFC 8259 section 9 lets it set such limits),
    so a ``malformed`` error with id null answers it as well."""

    id: RequestId | None
    codes: frozenset[str]
    or_malformed: bool = False


@dataclass(frozen=True)
class Message:
    kind: str
    line: bytes  # without its LF
    expect: Expect


@dataclass(frozen=True)
class Sessions:
    """Session ids the out-of-order requests aim at."""

    live: str  # a detached `sleep` of another connection
    ended: str  # a launch that has sent its session_end


@dataclass(frozen=True)
class Batch:
    """Lines written on one connection before its hello is read.  Writing pauses
    at ``hold`` (anywhere, often inside a line) while a canary client is served,
    and goes in writes of ``chunk`` bytes (0: one write per half)."""

    messages: list[Message]
    chunk: int
    hold: int

    @property
    def stream(self) -> bytes:
        return b"".join(message.line + b"\n" for message in self.messages)

    def __repr__(self) -> str:  # briefly: a failing test names the lines that failed
        size = len(self.stream)
        return f"Batch({len(self.messages)} lines, {size} bytes, chunk={self.chunk})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))  # Hypothesis prints dataclasses field by field otherwise


def expects(request_id: RequestId | None, *codes: str, or_malformed: bool = False) -> Expect:
    return Expect(request_id, frozenset(codes), or_malformed)


def malformed() -> Expect:
    return expects(None, "malformed")


def echoable(value: object) -> RequestId | None:
    """PROTOCOL.md section 4: an id is an integer or a string; anything else is echoed as null."""
    if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    return None


def dumps(value: Json, ascii_only: bool = False) -> bytes:
    """Compact JSON as UTF-8.  Lone surrogates cannot be UTF-8, so text holding one
    goes out with \\u escapes: valid JSON, and the daemon must cope with what it means."""
    if not ascii_only:
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        try:
            return text.encode()
        except UnicodeEncodeError:
            pass
    return json.dumps(value, separators=(",", ":")).encode()


def message(kind: str, line: bytes, expect: Expect) -> Message:
    assert b"\n" not in line, (kind, line[:80])
    if len(line) > MAX_LINE:
        expect = expects(None, "line_too_long")
    return Message(kind, line, expect)


def expect_of_raw(line: bytes) -> Expect:
    """What a line we did not build must get, read as the contract reads it: UTF-8 JSON."""
    try:
        value = json.loads(line.decode("utf-8"))
    except (ValueError, RecursionError):
        return malformed()
    if not isinstance(value, dict):
        return malformed()
    request_id = echoable(value.get("id"))
    if value.get("op") not in OPS:
        return Expect(request_id, frozenset({"unknown_op"}))
    return Expect(request_id, ANY_ANSWER)


# --- drafts ------------------------------------------------------------------------------
#
# A strategy draws a Draft: a function from the line's unique number in its batch
# (``uid``) to the Message, so that ids are unique per connection while every
# strategy is built once, here, and never per draw (building one is far dearer
# than drawing from it).

Draft = Callable[[int], Message]


def fixed(kind: str, line: bytes, expect: Expect) -> Draft:
    return lambda uid: message(kind, line, expect)


def raw(kind: str, line: bytes) -> Draft:
    line = line.replace(b"\n", b"")
    return fixed(kind, line, expect_of_raw(line))


def request(request_id: RequestId | None, fields: dict[str, Json]) -> dict[str, Json]:
    """``fields`` (op included) with the id first; no id key for None."""
    return fields if request_id is None else {"id": request_id, **fields}


def scaled(fraction: int, low: int, high: int) -> int:
    """``fraction`` (0 … 1000) of the way from ``low`` to ``high``."""
    return low + (high - low) * fraction // 1000


FRACTIONS = st.integers(0, 1000)

# --- values ------------------------------------------------------------------------------

SURROGATES = st.characters(categories=["Cs"])
NASTY_CHARS = st.sampled_from(
    ["\x00", "\x7f", "\r", "\n", "\t", '"', "\\", "\u2028", "\ufeff", "\U0001f600", "é"]
)
HOSTILE_TEXT = st.text(st.characters() | SURROGATES | NASTY_CHARS, max_size=8)
FLOATS = st.floats(allow_nan=False, allow_infinity=False)
SCALARS = st.none() | st.booleans() | st.integers() | FLOATS | st.text(max_size=6)
SMALL_LISTS = st.lists(SCALARS, max_size=2)
SMALL_DICTS = st.dictionaries(st.text(max_size=3), SCALARS, max_size=2)
JSON_VALUES = SCALARS | SMALL_LISTS | SMALL_DICTS | st.lists(SMALL_LISTS | SMALL_DICTS, max_size=2)

# Values of the wrong JSON type for a field of each protocol type.  A JSON integer
# is not a boolean, a string of digits is not an integer, 5.0 is not an integer:
# section 5 gives JSON types, and a value of another type is `invalid` (section 2).
NOT_STRING = st.integers() | FLOATS | st.booleans() | SMALL_LISTS | SMALL_DICTS
NOT_INTEGER = (
    st.text(max_size=6)
    | st.integers(-5, 1 << 20).map(str)
    | FLOATS
    | st.booleans()
    | SMALL_LISTS
    | SMALL_DICTS
)
NOT_BOOLEAN = (
    st.integers()
    | st.sampled_from(["true", "false", "yes", "1", "on", ""])
    | FLOATS
    | SMALL_LISTS
    | SMALL_DICTS
)
NOT_STRING_LIST = (
    st.text(max_size=6)
    | st.integers()
    | SMALL_DICTS
    | st.lists(NOT_STRING | st.none(), min_size=1, max_size=2)
)
NOT_STRING_MAP = (
    st.text(max_size=6)
    | st.integers()
    | SMALL_LISTS
    | st.dictionaries(st.text(max_size=3), NOT_STRING | st.none(), min_size=1, max_size=2)
)
NOT_POLICY = (
    st.text(max_size=6).filter(lambda text: text not in ("block", "drop"))
    | st.sampled_from(["BLOCK", "Drop", " drop", "drop\x00"])
    | st.integers()
    | st.booleans()
    | SMALL_LISTS
    | SMALL_DICTS
)
OUT_OF_RANGE_STRING_LIMIT = st.integers(max_value=-1) | st.integers(min_value=(1 << 20) + 1)
NOT_DECODING = (
    st.text(max_size=6)
    | st.integers()
    | SMALL_LISTS
    | st.fixed_dictionaries({"verbose": NOT_BOOLEAN})
    | st.fixed_dictionaries({"decorate_fds": NOT_BOOLEAN})
    | st.fixed_dictionaries({"raw": NOT_STRING_LIST})
    | st.fixed_dictionaries({"string_limit": NOT_INTEGER | OUT_OF_RANGE_STRING_LIMIT})
    | st.fixed_dictionaries({"colour": SCALARS})
)
NOT_SIGNAL = FLOATS | st.booleans() | st.none() | SMALL_LISTS | SMALL_DICTS
NOT_POSITIVE = NOT_INTEGER | st.integers(max_value=0)
# attach's pid, wrong: never a value a lax parser could turn into a live pid ("1",
# 1.0 and true all mean pid 1 to one), so a daemon that coerces attaches to nothing.
NOT_ATTACH_PID: st.SearchStrategy[Json] = st.integers(max_value=0) | st.sampled_from(
    [str(NO_SUCH_PID), "x", "", float(NO_SUCH_PID), NO_SUCH_PID + 0.5, False, None, [1], {}]
)

# op → a harmless request of it (fields besides id and op)
BASES: dict[str, dict[str, Json]] = {
    "launch": {"argv": [NO_SUCH_PROGRAM]},
    "attach": {"pid": NO_SUCH_PID},
    "detach": {"session": NO_SUCH_SESSION},
    "signal": {"session": NO_SUCH_SESSION},
    "list": {},
    "subscribe": {"session": NO_SUCH_SESSION},
    "stats": {"session": NO_SUCH_SESSION},
}
LAUNCH_AND_ATTACH: dict[str, st.SearchStrategy[Json]] = {
    "trace": NOT_STRING,
    "decoding": NOT_DECODING,
    "entries": NOT_BOOLEAN,
    "policy": NOT_POLICY,
    "queue": NOT_POSITIVE,
}
# op → field → wrong values: every field of every request in protocol/PROTOCOL.md section 5
WRONG: dict[str, dict[str, st.SearchStrategy[Json]]] = {
    "launch": {
        "argv": NOT_STRING_LIST | st.none() | st.just([]),
        "env": NOT_STRING_MAP,
        "cwd": NOT_STRING,
        "umask": NOT_INTEGER | st.integers(max_value=-1) | st.integers(min_value=0o1000),
        "stdio": NOT_BOOLEAN,
        "detach": NOT_BOOLEAN,
        **LAUNCH_AND_ATTACH,
    },
    "attach": {"pid": NOT_ATTACH_PID, "subscribe": NOT_BOOLEAN, **LAUNCH_AND_ATTACH},
    "detach": {"session": NOT_STRING | st.none()},
    "signal": {"session": NOT_STRING | st.none(), "signal": NOT_SIGNAL},
    "list": {},
    "subscribe": {
        "session": NOT_STRING,
        "trace": NOT_STRING,
        "pid": NOT_POSITIVE,
        "policy": NOT_POLICY,
        "queue": NOT_POSITIVE,
    },
    "stats": {"session": NOT_STRING},
}
FIELDS = {op: set(WRONG[op]) | {"id", "op"} for op in OPS}
OP_FIELDS = st.sampled_from([(op, name) for op in OPS for name in sorted(WRONG[op])])
NOT_AN_ID = st.none() | st.booleans() | FLOATS | SMALL_LISTS | SMALL_DICTS

HARMLESS: list[dict[str, Json]] = [
    {"op": "list"},
    {"op": "stats"},
    {"op": "stats", "session": None},
    {"op": "subscribe", "policy": "drop", "queue": 4},
    {"op": "subscribe", "session": None, "trace": "getpid", "pid": NO_SUCH_PID},
]
HARMLESS_REQUESTS = st.sampled_from(HARMLESS)


def shifted(base: int, sign: int) -> Callable[[int], RequestId]:
    return lambda uid: base + sign * uid


# Echoable ids unique in a batch: integers past 2^53, 2^63 and 2^64 (section 2:
# clients parse -2^63 … 2^64-1 at least), and any text ending in "#uid".
ID_MAKERS = st.sampled_from(
    [
        shifted(0, 1),
        shifted(1 << 53, 1),
        shifted((1 << 64) - 1, -1),
        shifted(-(1 << 63), 1),
        shifted(10**40, 1),
    ]
) | HOSTILE_TEXT.map(lambda prefix: lambda uid: f"{prefix}#{uid}")


# --- lines that are not requests -------------------------------------------------------

RAW_BYTES = st.binary(max_size=48).map(lambda data: raw("raw bytes", data))
# Text with lone surrogates encoded as UTF-8 would encode them (surrogatepass): not UTF-8.
RAW_TEXT = HOSTILE_TEXT.map(lambda text: raw("raw text", text.encode("utf-8", "surrogatepass")))
NOT_AN_OBJECT = st.tuples(
    (SCALARS | SMALL_LISTS | st.lists(SMALL_LISTS | SMALL_DICTS, max_size=2)),
    st.sampled_from([b"", b" ", b"\t", b"\r"]),
).map(lambda pair: fixed("JSON, not an object", pair[1] + dumps(pair[0]) + pair[1], malformed()))

BAD_UTF8 = [
    b"\xff",
    b"\xfe",
    b"\x80",
    b"\xc0\x80",
    b"\xed\xa0\x80",
    b"\xe2\x82",
    b"\xf4\x90\x80\x80",
]


def not_utf8_draft(bad: bytes, in_id: bool) -> Draft:
    """A list request holding bytes UTF-8 forbids: stray continuation, overlong,
    encoded surrogate, cut sequence, past U+10FFFF, 0xFF."""

    def render(uid: int) -> Message:
        if in_id:
            line = b'{"id":"a' + bad + b"#%d" % uid + b'","op":"list"}'
        else:
            line = b'{"id":%d,"op":"list","x":"' % uid + bad + b'"}'
        return message("not UTF-8", line, malformed())

    return render


NOT_UTF8 = st.builds(not_utf8_draft, st.sampled_from(BAD_UTF8), st.booleans())


def foreign_draft(encoding: str) -> Draft:
    """A valid request in UTF-16 or UTF-32: the protocol is UTF-8, so not JSON text."""
    return lambda uid: message(
        "UTF-16/32", json.dumps(request(uid, {"op": "list"})).encode(encoding), malformed()
    )


FOREIGN = st.sampled_from(["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be", "utf-16"]).map(
    foreign_draft
)

# --- framing edge cases ----------------------------------------------------------------


def valid_draft(fields: dict[str, Json]) -> Draft:
    return lambda uid: message("valid", dumps(request(uid, fields)), expects(uid, RESPONSE))


VALID = HARMLESS_REQUESTS.map(valid_draft)


def truncated_draft(fields: dict[str, Json], fraction: int) -> Draft:
    """A request cut short, then its LF: no strict prefix of a JSON object is JSON."""

    def render(uid: int) -> Message:
        whole = dumps(request(uid, fields))
        return message("truncated", whole[: scaled(fraction, 1, len(whole) - 1)], malformed())

    return render


def nested(depth: int, shape: str) -> bytes:
    if shape == "array":
        return b"[" * depth + b"]" * depth
    return b'{"a":' * depth + b"0" + b"}" * depth


def deep_draft(shape: str, depth: int, where: str) -> Draft:
    """Nesting a few levels deep, or more than a thousand (within max_line), at the top
    or as a field's value.  Deep ones may be refused as malformed (or_malformed)."""
    value, very = nested(depth, shape), depth > 300

    def render(uid: int) -> Message:
        if where == "top" and shape == "array":
            return message("deep", value, malformed())  # not an object
        if where == "top":  # an object of objects, without op
            return message("deep", value, expects(None, "unknown_op", or_malformed=very))
        if where == "op":
            line = b'{"id":%d,"op":' % uid + value + b"}"
            return message("deep", line, expects(uid, "unknown_op", or_malformed=very))
        field = b'"x":' if where == "extra field" else b'"trace":'
        line = b'{"id":%d,"op":"subscribe",' % uid + field + value + b"}"
        return message("deep", line, expects(uid, "invalid", or_malformed=very))

    return render


# 2 bytes a level for arrays, 6 for objects: both fit in MAX_LINE at their deepest.
SHALLOW = st.integers(1, 300)
DEPTHS = st.one_of(
    st.tuples(st.just("array"), SHALLOW | st.integers(1100, 4000)),
    st.tuples(st.just("object"), SHALLOW | st.integers(1100, 1300)),
)


@st.composite
def deep_lines(draw: st.DrawFn) -> Draft:
    shape, depth = draw(DEPTHS)
    return deep_draft(shape, depth, draw(st.sampled_from(["top", "extra field", "trace", "op"])))


DEEP_LINES = deep_lines()


def padded(line: bytes, length: int) -> bytes:
    """``line`` (a JSON object) made ``length`` bytes long with whitespace after its
    brace, which JSON ignores."""
    return line[:1] + b" " * max(0, length - len(line)) + line[1:]


def huge_draft(length: int, form: str) -> Draft:
    """A request of just under, exactly, just over or far over max_line bytes."""

    def render(uid: int) -> Message:
        if form == "number":
            # Thousands of digits (CPython refuses ints of 4301+ digits from text by
            # default) as a queue length: a large but valid value.
            head = b'{"id":%d,"op":"subscribe","queue":1' % uid
            line = head + b"0" * max(0, length - len(head) - 1) + b"}"
            return message("huge", line, expects(uid, RESPONSE, or_malformed=True))
        if form == "names":  # a filter of many valid syscall names
            head = b'{"id":%d,"op":"subscribe","trace":"' % uid
            names = (b"read,write,openat,close," * (length // 24 + 1))[: length - len(head) - 2]
            names = names[: names.rindex(b",")]
            return message("huge", padded(head + names + b'"}', length), expects(uid, RESPONSE))
        head, code = {
            "session": (b'{"id":%d,"op":"stats","session":"' % uid, "not_found"),
            "extra": (b'{"id":%d,"op":"list","pad":"' % uid, "invalid"),
            "trace": (b'{"id":%d,"op":"subscribe","trace":"' % uid, "unknown_syscall"),
        }[form]
        line = head + b"x" * max(1, length - len(head) - 2) + b'"}'
        return message("huge", line, expects(uid, code))

    return render


LENGTHS = (
    st.sampled_from([MAX_LINE - 1, MAX_LINE, MAX_LINE + 1, 2 * MAX_LINE + 7])
    | st.integers(MAX_LINE - 64, MAX_LINE + 64)
    | st.integers(MAX_LINE, 4 * MAX_LINE)
)
HUGE = st.builds(
    huge_draft, LENGTHS, st.sampled_from(["session", "extra", "trace", "names", "number"])
)

# --- requests that are wrong -----------------------------------------------------------


def wrong_type_draft(op: str, name: str, value: Json) -> Draft:
    """One field of one op given a value of the wrong type or out of range."""
    fields = {"op": op, **BASES[op], name: value}
    kind = f"wrong type: {op}.{name}"
    return lambda uid: message(kind, dumps(request(uid, fields)), expects(uid, "invalid"))


@st.composite
def wrong_types(draw: st.DrawFn) -> Draft:
    op, name = draw(OP_FIELDS)
    return wrong_type_draft(op, name, draw(WRONG[op][name]))


def wrong_id_draft(fields: dict[str, Json], has_id: bool, value: Json) -> Draft:
    """An id that is neither an integer nor a string, or none: invalid, id null."""
    body = {"id": value, **fields} if has_id else fields
    return fixed("wrong id", dumps(body), expects(None, "invalid"))


WRONG_ID = st.builds(wrong_id_draft, HARMLESS_REQUESTS, st.booleans(), NOT_AN_ID)


def odd_id_draft(
    fields: dict[str, Json], make_id: Callable[[int], RequestId], ascii_only: bool
) -> Draft:
    """A valid request whose id is an odd but allowed integer or string: echoed exactly."""

    def render(uid: int) -> Message:
        request_id = make_id(uid)
        line = dumps(request(request_id, fields), ascii_only)
        return message("odd id", line, expects(request_id, RESPONSE))

    return render


ODD_ID = st.builds(odd_id_draft, HARMLESS_REQUESTS, ID_MAKERS, st.booleans())


def unknown_fields_draft(
    op: str, extra: dict[str, Json], make_id: Callable[[int], RequestId]
) -> Draft:
    extra = {key: value for key, value in extra.items() if key not in FIELDS[op]} or {"colour": 1}

    def render(uid: int) -> Message:
        request_id = make_id(uid)
        body = {**request(request_id, {"op": op, **BASES[op]}), **extra}
        return message("unknown field", dumps(body), expects(request_id, "invalid"))

    return render


UNKNOWN_FIELDS = st.builds(
    unknown_fields_draft,
    st.sampled_from(OPS),
    st.dictionaries(HOSTILE_TEXT, JSON_VALUES, min_size=1, max_size=3),
    ID_MAKERS,
)
NOT_OPS = (
    st.sampled_from(
        [
            "unsubscribe",
            "kill",
            "hello",
            "ping",
            "shutdown",
            "LIST",
            "list ",
            "Launch",
            "",
            "stats\0",
        ]
    )
    | HOSTILE_TEXT.filter(lambda text: text not in OPS)
    | NOT_STRING
    | st.none()
)


def unknown_op_fields(op: Json, has_op: bool, with_session: bool) -> dict[str, Json]:
    fields = {"op": op} if has_op else {}
    return {**fields, **BASES["stats"]} if with_session else fields


def unknown_op_draft(fields: dict[str, Json], make_id: Callable[[int], RequestId]) -> Draft:
    def render(uid: int) -> Message:
        request_id = make_id(uid)
        line = dumps(request(request_id, fields))
        return message("unknown op", line, expects(request_id, "unknown_op"))

    return render


UNKNOWN_OP_FIELDS = st.builds(unknown_op_fields, NOT_OPS, st.booleans(), st.booleans())
UNKNOWN_OP = st.builds(unknown_op_draft, UNKNOWN_OP_FIELDS, ID_MAKERS)
TRUNCATED = st.builds(truncated_draft, HARMLESS_REQUESTS | UNKNOWN_OP_FIELDS, FRACTIONS)


def hostile_cases(text: str) -> list[tuple[dict[str, Json], tuple[str, ...]]]:
    """Values of the right type that are hard to handle (NUL, lone surrogates, emoji)
    and the answers each may get."""
    program = "no-such-program-" + text.replace("/", "")  # no '/': looked up in PATH, in vain
    # What execve cannot take is refused before anything starts (issue 13.11).
    launch = "invalid" if execve_refuses(text) else "spawn_failed"
    env_launch = "invalid" if execve_refuses(text) or not text or "=" in text else "spawn_failed"
    return [
        ({"op": "launch", "argv": [program, text]}, (launch,)),
        ({"op": "launch", "argv": [program], "env": {"PATH": text, text: text}}, (env_launch,)),
        (
            {"op": "launch", "argv": [program], "cwd": text, "decoding": {"raw": [text]}},
            (launch,),
        ),
        (
            {"op": "launch", "argv": [program], "trace": text},
            ("unknown_syscall", "bad_filter", launch),
        ),
        ({"op": "subscribe", "trace": text}, ("unknown_syscall", "bad_filter", RESPONSE)),
        ({"op": "stats", "session": text}, ("not_found",)),
        ({"op": "detach", "session": text}, ("not_found",)),
        ({"op": "signal", "session": text, "signal": text}, ("not_found", "invalid")),
    ]


def execve_refuses(text: str) -> bool:
    """Whether execve cannot take ``text``: a NUL byte, or a surrogate no byte stands for."""
    try:
        os.fsencode(text)
    except UnicodeEncodeError:
        return True
    return "\0" in text


def hostile_draft(text: str, case: int, ascii_only: bool) -> Draft:
    fields, codes = hostile_cases(text)[case]
    return lambda uid: message(
        "hostile value", dumps(request(uid, fields), ascii_only), expects(uid, *codes)
    )


# strace's filter syntax, valid and not: classes, regexes, negation, other qualifiers
FILTER_SYNTAX = st.sampled_from(
    [
        "%file",
        "%",
        "?nosuch",
        "!",
        "!read",
        "/^open",
        "/[",
        "/(a",
        "/a{99999999}",
        "trace=",
        "trace=all",
        "none",
        "status=bogus",
        "signal=SIGFOO",
        "raw=read",
        "read,,write",
        ",",
    ]
)
HOSTILE = st.builds(hostile_draft, HOSTILE_TEXT | FILTER_SYNTAX, st.integers(0, 7), st.booleans())


def out_of_order_cases(
    sessions: Sessions, gone: str, harmless: Json, unknown: Json
) -> list[tuple[dict[str, Json], str]]:
    """Requests about sessions that never were, have ended, or belong to another
    connection: detach, signal, stats and subscribe (twice, when drawn twice)."""
    live = sessions.live
    return [
        ({"op": "detach", "session": gone}, "not_found"),
        ({"op": "signal", "session": gone}, "not_found"),
        ({"op": "signal", "session": gone, "signal": harmless}, "not_found"),
        ({"op": "stats", "session": gone}, "not_found"),
        ({"op": "subscribe", "session": gone}, "not_found"),
        ({"op": "subscribe", "session": live}, RESPONSE),
        ({"op": "subscribe", "session": live, "policy": "block", "queue": 1}, RESPONSE),
        ({"op": "stats", "session": live}, RESPONSE),
        # detach is for attached sessions: a launched command would lose its tracer.
        ({"op": "detach", "session": live}, "invalid"),
        ({"op": "signal", "session": live, "signal": harmless}, RESPONSE),
        ({"op": "signal", "session": live, "signal": unknown}, "invalid"),
    ]


def out_of_order(sessions: Sessions) -> st.SearchStrategy[Draft]:
    def draft(gone: str, harmless: Json, unknown: Json, case: int) -> Draft:
        fields, code = out_of_order_cases(sessions, gone, harmless, unknown)[case]
        return lambda uid: message("out of order", dumps(request(uid, fields)), expects(uid, code))

    return st.builds(
        draft,
        st.sampled_from([sessions.ended, NO_SUCH_SESSION]) | HOSTILE_TEXT,
        st.sampled_from(HARMLESS_SIGNALS),
        st.sampled_from(UNKNOWN_SIGNALS),
        st.integers(0, 10),
    )


KINDS = (
    RAW_BYTES,
    RAW_TEXT,
    NOT_AN_OBJECT,
    NOT_UTF8,
    FOREIGN,
    VALID,
    TRUNCATED,
    DEEP_LINES,
    HUGE,
    wrong_types(),
    WRONG_ID,
    ODD_ID,
    UNKNOWN_FIELDS,
    UNKNOWN_OP,
    HOSTILE,
)
CHUNKS = st.sampled_from([0, 0, 1, 3, 17, 512, 4096])
PAUSE_LINE = st.integers(0, 1000)


def make_batch(drafts: list[Draft], chunk: int, line: int, offset: int) -> Batch:
    """Number the lines; the pause falls ``offset``/1000 of the way into line ``line``."""
    messages = [draft(uid) for uid, draft in enumerate(drafts)]
    where = line % len(messages)
    start = sum(len(item.line) + 1 for item in messages[:where])
    return Batch(messages, chunk, start + scaled(offset, 0, len(messages[where].line)))


def batches(sessions: Sessions, fewest: int, most: int) -> st.SearchStrategy[Batch]:
    drafts = st.lists(st.one_of(*KINDS, out_of_order(sessions)), min_size=fewest, max_size=most)

    @st.composite
    def batch(draw: st.DrawFn) -> Batch:  # composite, not builds: printed as the Batch's repr
        return make_batch(draw(drafts), draw(CHUNKS), draw(PAUSE_LINE), draw(FRACTIONS))

    return batch()


def surrogate_id(uid: int) -> str:
    return f"\ud800#{uid}"


def regressions() -> Batch:
    """Lines this fuzzing found mishandled, run first (Hypothesis's explicit phase)
    whatever the draw.  Those answered wrongly come first; then those whose failure
    escaped the reader callback, which also silenced every later line of its read."""
    drafts = [
        # A lax parser answers these as ids 1 and 1000000; line 1's id is a string.
        wrong_id_draft({"op": "list"}, has_id=True, value=True),
        odd_id_draft({"op": "list"}, lambda uid: f"plain#{uid}", ascii_only=False),
        wrong_id_draft({"op": "stats"}, has_id=True, value=1e6),
        wrong_type_draft("subscribe", "pid", "5"),  # lax coercion: "5" taken as 5
        wrong_type_draft("subscribe", "queue", True),
        wrong_type_draft("launch", "entries", 1),
        hostile_draft("", 5, ascii_only=False),  # stats of session "": every session
        hostile_draft("\ud800", 0, ascii_only=True),  # PATH lookup raised: internal, traceback
        hostile_draft("\x00", 1, ascii_only=False),  # NUL in PATH: the same
        foreign_draft("utf-16"),  # UTF-16 with a BOM was taken as a request
        odd_id_draft({"op": "list"}, surrogate_id, ascii_only=True),  # echo could not encode
        hostile_draft("\udc80", 4, ascii_only=True),  # nor an unknown_syscall message
        unknown_op_draft({"op": "frob"}, surrogate_id),  # nor this error, in the reader
        deep_draft("array", 3000, "top"),  # RecursionError escaped the reader
        deep_draft("array", 2000, "extra field"),
        not_utf8_draft(b"\xff", in_id=False),  # UnicodeDecodeError escaped
        not_utf8_draft(b"\xed\xa0\x80", in_id=True),  # an encoded surrogate was decoded
        huge_draft(MAX_LINE, "number"),  # ValueError (4301+ digits) escaped
        valid_draft({"op": "list"}),
    ]
    return make_batch(drafts, chunk=0, line=0, offset=0)
