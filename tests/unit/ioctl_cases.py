"""ioctl's argument as traced prints it, from constructed registers and memory: the
shared harness of the per-family ioctl tests."""

from tests.unit.plain import FakeMemory
from traced.decoders.arguments import decode_entry, decode_exit
from traced.decoders.values import DEFAULT_OPTIONS, Options

ADDRESS = 0x7FFC07E58BD0
MINUS_ONE = 2**64 - 1


def argument(
    request: int,
    entry: bytes,
    exit: bytes | None = None,
    *,
    options: Options = DEFAULT_OPTIONS,
    address: int = ADDRESS,
    failed: bool = False,
) -> str:
    """The argument's text: read at entry from ``entry`` at ``address``, then, with
    ``exit`` (what the kernel wrote), after a success; with ``failed``, after EBADF."""
    raw = (MINUS_ONE, request, address)
    args = decode_entry("ioctl", raw, FakeMemory({address: entry}), options)
    if failed:
        memory = FakeMemory({address: entry})
        args = decode_exit("ioctl", args, raw, memory, retval=-9, options=options, failed=True)
    elif exit is not None:
        args = decode_exit(
            "ioctl", args, raw, FakeMemory({address: exit}), retval=0, options=options
        )
    return args[2].text
