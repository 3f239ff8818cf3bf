"""Names that are not UTF-8: strace's escapes in the text, the exact bytes in JSON.

Expected texts are strace 6.1's (``strace -y`` reading files so named)."""

import msgspec
import pytest

from tests.unit.plain import FakeMemory, returned
from traced.cli.render import syscall_line
from traced.decoders.arguments import decode_entry
from traced.decoders.values import Options
from traced.events import (
    Bytes,
    ExecEvent,
    SyscallEvent,
    bytes_of,
    event_json,
    os_text,
    parse_event,
    text_of,
)

LATIN1 = b'/tmp/nu/d\xff\xfe/f\xe9\\x41"q'  # a literal backslash, then x41
LATIN1_TEXT = '/tmp/nu/d\\377\\376/f\\351\\\\x41\\"q'
AS_OS = LATIN1.decode("utf-8", "surrogateescape")  # what os.readlink gives Python


@pytest.mark.parametrize(
    ("name", "text"),
    [
        (LATIN1, LATIN1_TEXT),
        (b"/a<b>c\n\t d\x012\xc3\xa9 \x7f", "/a\\74b\\76c\\n\\t d\\0012\\303\\251 \\177"),
        (b"/x<1>2", "/x\\0741\\0762"),  # a digit after: three octal digits
    ],
)
def test_an_fd_s_path_is_escaped_as_strace_escapes_it(name: bytes, text: str) -> None:
    fds = {3: name.decode("utf-8", "surrogateescape")}.get
    close = decode_entry("close", (3,), FakeMemory({}), Options(decorate_fds=True), fds)
    assert close[0].text == f"3<{text}>"


def _openat(fd_path: str | Bytes | None) -> SyscallEvent:
    memory = FakeMemory({0x1000: b"f\xe9\0"})
    args = decode_entry("openat", (2**64 - 100, 0x1000, 0, 0), memory)
    return returned("openat", args, 3, fd_path=fd_path)


def test_a_returned_fd_s_path_prints_and_travels_losslessly() -> None:
    event = _openat(os_text(AS_OS))
    assert syscall_line(event).endswith(f"= 3<{LATIN1_TEXT}>")
    wire = event_json(event)  # once: UnicodeEncodeError, surrogates not allowed
    back = parse_event(msgspec.json.decode(wire))
    assert isinstance(back, SyscallEvent) and back.fd_path is not None
    assert bytes_of(back.fd_path) == LATIN1
    assert back.args[1].value == {"base64": "Zuk="} and bytes_of(back.args[1].value) == b"f\xe9"
    assert back.args[1].text == '"f\\351"'


def test_utf8_is_a_string_and_a_backslash_is_a_backslash() -> None:
    assert text_of(b"/a\\x41/\xc3\xa9") == "/a\\x41/é"
    assert text_of(b"/a\\x41/\xe9") == Bytes("L2FceDQxL+k=")  # not UTF-8: not a string
    assert bytes_of(text_of(b"/a\\x41/\xe9")) == b"/a\\x41/\xe9"
    assert os_text("/etc/passwd") == "/etc/passwd"


def test_an_exec_s_path_and_argv_travel_losslessly() -> None:
    argv = (os_text("./rd"), os_text(AS_OS))
    event = ExecEvent(session="s", pid=1, tid=1, ts_ns=0, path=argv[0], argv=argv, old_tid=None)
    back = parse_event(msgspec.json.decode(event_json(event)))
    assert isinstance(back, ExecEvent) and [bytes_of(arg) for arg in back.argv] == [b"./rd", LATIN1]
