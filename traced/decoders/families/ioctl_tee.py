"""The TEE (trusted execution environment) requests (linux/tee.h), in strace 6.1's
words: pure.

Kernel facts: OPEN_SESSION, INVOKE, SUPPL_RECV and SUPPL_SEND take a struct
tee_ioctl_buf_data (buf_ptr, buf_len as u64) pointing to their argument struct
followed by num_params struct tee_ioctl_param (attr, a, b, c as u64); the kernel
takes it only if buf_len is exactly their size (and at most TEE_MAX_ARG_SIZE),
else strace prints just the buffer's length and address.  The argument structs:
open_session (uuid[16], clnt_uuid[16], clnt_login, cancel_id, session, ret,
ret_origin, num_params), invoke (func, session, cancel_id, ret, ret_origin,
num_params), supp_recv (func, num_params), supp_send (ret, num_params), all u32.
CANCEL takes cancel_id and session, CLOSE_SESSION the session, SHM_ALLOC a size
(u64), flags and id, SHM_REGISTER an address, a length (u64), flags and id.
"""

from __future__ import annotations

from traced.decoders._ioctls import (
    TEE_GEN_CAPS,
    TEE_IMPL_IDS,
    TEE_LIMITS,
    TEE_LOGINS,
    TEE_OPTEE_CAPS,
    TEE_ORIGINS,
    TEE_PARAM_TYPES,
    TEE_SHM_FLAGS,
)
from traced.decoders.arrays import array_text
from traced.decoders.families.ioctl_kit import Finisher, Request, fixed, ints
from traced.decoders.values import Memory, Options, as_signed, chex, hex_address, read_exact
from traced.decoders.xlat import format_enum, format_flags

_MAX = dict(TEE_LIMITS)["TEE_MAX_ARG_SIZE"]
_TYPES = dict(TEE_PARAM_TYPES)
_META = _TYPES["TEE_IOCTL_PARAM_ATTR_META"]
_MEMREFS = {_TYPES[f"TEE_IOCTL_PARAM_ATTR_TYPE_MEMREF_{d}"] for d in ("INPUT", "OUTPUT", "INOUT")}
_NONE = _TYPES["TEE_IOCTL_PARAM_ATTR_TYPE_NONE"]
_LOGINS = dict(TEE_LOGINS)
_GROUPS = {_LOGINS["TEE_IOCTL_LOGIN_GROUP"], _LOGINS["TEE_IOCTL_LOGIN_GROUP_APPLICATION"]}
_OPTEE = dict(TEE_IMPL_IDS)["TEE_IMPL_ID_OPTEE"]
_PARAM = 32
# Each argument struct: its size and where its num_params is.
_ARGS = {"OPEN_SESSION": (56, 52), "INVOKE": (24, 20), "SUPPL_RECV": (8, 4), "SUPPL_SEND": (8, 4)}


def _uuid(data: bytes) -> str:
    h = data.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def _param(data: bytes) -> str:
    attr, a, b, c = ints("4Q", data)
    parts = [format_enum(attr & ~_META, TEE_PARAM_TYPES, "TEE_IOCTL_PARAM_ATTR_").text]
    if attr & _META:
        parts[0] += "|TEE_IOCTL_PARAM_ATTR_META"
    if attr in _MEMREFS:
        parts += [f"shm_offs={chex(a)}", f"size={chex(b)}", f"shm_id={c}"]
    elif attr != _NONE:
        parts += [f"a={chex(a)}", f"b={chex(b)}", f"c={chex(c)}"]
    return "{attr=" + ", ".join(parts) + "}"


def _fetch(kind: str, address: int, memory: Memory, entering: bool) -> tuple[str, bytes, int]:
    """The buffer's head (``buf_len=N, buf_ptr=``), and its argument struct and the
    params' address; an empty struct where strace prints only the buffer."""
    size, count_at = _ARGS[kind]
    pointer, length = ints("2Q", read_exact(memory, address, 16) or bytes(16))
    head = f"buf_len={length}, buf_ptr="
    data = None if length > _MAX or length < size else read_exact(memory, pointer, size)
    if data is None:
        return head + hex_address(pointer), b"", 0
    count = ints("I", data, count_at)[0]
    if entering and size + _PARAM * count != length:
        return head + hex_address(pointer), b"", 0
    return head, data, pointer + size if count else 0


def _params(data: bytes, count_at: int, at: int, memory: Memory, options: Options) -> str:
    count = ints("I", data, count_at)[0]
    return f"params={array_text(at, count, _PARAM, memory, options, element=_param).text}"


def _entry_fields(kind: str, data: bytes) -> list[str]:
    if kind == "OPEN_SESSION":
        login, cancel, _, _, _, count = ints("6I", data, 32)
        parts = [f"uuid={_uuid(data[:16])}"]
        parts.append(f"clnt_login={format_enum(login, TEE_LOGINS, 'TEE_IOCTL_LOGIN_???').text}")
        if login in _GROUPS:
            gid = ints("I", data, 16)[0]  # a group id, as strace's printuid: -1 or unsigned
            parts.append(f"clnt_uuid={-1 if gid == 0xFFFFFFFF else gid}")
        elif login not in _LOGINS.values():
            parts.append("clnt_uuid=[" + ", ".join(chex(b) for b in data[16:32]) + "]")
        return [*parts, f"cancel_id={cancel}", f"num_params={count}"]
    if kind == "INVOKE":
        func, session, cancel, _, _, count = ints("6I", data)
        return [f"func={func}", f"session={chex(session)}", f"cancel_id={cancel}",
                f"num_params={count}"]  # fmt: skip
    if kind == "SUPPL_RECV":
        return ["func={}".format(ints("I", data)[0]), "num_params={}".format(ints("I", data, 4)[0])]
    return ["num_params={}".format(ints("I", data, 4)[0])]


def _exit_fields(kind: str, data: bytes) -> list[str]:
    def origin(value: int) -> str:
        return f"ret_origin={format_enum(value, TEE_ORIGINS, 'TEEC_ORIGIN_???').text}"

    if kind == "OPEN_SESSION":
        session, ret, ret_origin = ints("3I", data, 40)
        return [f"session={chex(session)}", f"ret={ret}", origin(ret_origin)]
    if kind == "INVOKE":
        ret, ret_origin = ints("2I", data, 12)
        return [f"ret={ret}", origin(ret_origin)]
    if kind == "SUPPL_RECV":
        return ["num_params={}".format(ints("I", data, 4)[0])]
    return ["ret={}".format(ints("I", data)[0])]


def _buffered(kind: str) -> Request:
    count_at = _ARGS[kind][1]

    def entry(address: int, memory: Memory, options: Options) -> str | None:
        if read_exact(memory, address, 16) is None:
            return None
        head, data, params = _fetch(kind, address, memory, entering=True)
        if not data:
            return f"{{{head}}}"
        fields = [*_entry_fields(kind, data), _params(data, count_at, params, memory, options)]
        return f"{{{head}{{{', '.join(fields)}}}}}"

    def finish(text: str, address: int, memory: Memory, options: Options) -> str | None:
        if not text.endswith("}}"):  # the buffer alone: nothing more at exit
            return text
        head, data, params = _fetch(kind, address, memory, entering=False)
        if not data:
            return f"{text[:-1]} => {{{head}}}}}"
        fields = [*_exit_fields(kind, data), _params(data, count_at, params, memory, options)]
        return f"{text[:-1]} => {{{', '.join(fields)}}}}}"

    return Request(entry=entry, finish=finish)


def _shm_flags(value: int) -> str:
    return format_flags(value, TEE_SHM_FLAGS, "TEE_IOCTL_SHM_???").text


def _shm_alloc(data: bytes, options: Options) -> str:
    size, flags = ints("QI", data)
    return f"{{size={chex(size)}, flags={_shm_flags(flags)}}}"


def _shm_register(data: bytes, options: Options) -> str:
    address, length, flags = ints("QQI", data)
    return f"{{addr={hex_address(address)}, length={chex(length)}, flags={_shm_flags(flags)}}}"


def _shm_filled(form: str, at: int, size: int) -> Finisher:
    def finish(text: str, address: int, memory: Memory, options: Options) -> str | None:
        data = read_exact(memory, address, size)
        if data is None:
            return f"{text} => {hex_address(address)}"
        length, flags = ints(form, data, at)
        shm_id = as_signed(ints("I", data, size - 4)[0], 32)
        head = f"size={chex(length)}" if at == 0 else f"length={chex(length)}"
        return f"{text} => {{{head}, flags={_shm_flags(flags)}, id={shm_id}}}"

    return finish


def _cancel(data: bytes, options: Options) -> str:
    cancel, session = ints("2I", data)
    return f"{{cancel_id={cancel}, session={chex(session)}}}"


def _version(data: bytes, options: Options) -> str:
    impl, gen, caps = ints("3I", data)
    table = TEE_OPTEE_CAPS if impl == _OPTEE else None
    caps_text = format_flags(caps, table, "TEE_OPTEE_CAP_???").text if table else chex(caps)
    return (
        f"{{impl_id={format_enum(impl, TEE_IMPL_IDS, 'TEE_IMPL_ID_???').text}, "
        f"gen_caps={format_flags(gen, TEE_GEN_CAPS, 'TEE_GEN_CAP_???').text}, "
        f"impl_caps={caps_text}}}"
    )


REQUESTS: dict[str, Request] = {
    **{f"TEE_IOC_{kind}": _buffered(kind) for kind in _ARGS},
    "TEE_IOC_VERSION": Request(exit=fixed(12, _version)),
    "TEE_IOC_CANCEL": Request(entry=fixed(8, _cancel)),
    "TEE_IOC_CLOSE_SESSION": Request(
        entry=fixed(4, lambda data, options: f"{{session={chex(ints('I', data)[0])}}}")
    ),
    "TEE_IOC_SHM_ALLOC": Request(entry=fixed(16, _shm_alloc), finish=_shm_filled("QI", 0, 16)),
    "TEE_IOC_SHM_REGISTER": Request(
        entry=fixed(24, _shm_register), finish=_shm_filled("QI", 8, 24)
    ),
}
