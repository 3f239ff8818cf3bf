"""The wire protocol's messages, as pydantic models.  protocol/ is generated from these.

Version 1.  Every line is one JSON object with either ``type`` (server to
client) or ``op`` (client to server).  Requests carry an ``id`` of the client's
choosing, echoed in the ``response`` or ``error`` that answers them.  Events are
the engine's event objects (traced.events) with a per-session ``seq`` added.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    WithJsonSchema,
    model_serializer,
)

from traced.errors import ErrorCode

PROTOCOL_VERSION = 1

RequestId = int | str
Policy = Literal["block", "drop"]


class Message(BaseModel):
    """Every message of the protocol: immutable, and no field it does not name."""

    model_config = ConfigDict(frozen=True, extra="forbid")


# --- client to server ---------------------------------------------------------------


class RequestBase(Message):
    id: RequestId


class Decoding(Message):
    """How arguments are decoded, as strace's -s, -v, -y, -Y, -X and -x say; fixed per session."""

    # -s; unset: the daemon's configured string_size (32 unless configured)
    string_limit: int | None = Field(default=None, ge=0, le=1 << 20)
    verbose: bool = False  # -v: structs in full
    decorate_fds: bool = False  # -y: fds with the path they refer to
    raw: list[str] = []  # -e raw=: syscalls whose arguments are shown as raw hex
    fd_paths: bool = False  # -P: each fd argument's target in its ``path``, not printed
    # -X: constants as names (abbrev), numbers (raw), or numbers with names (verbose)
    xlat: Literal["abbrev", "raw", "verbose"] = "abbrev"
    # -x, -xx, --strings-in-hex: which strings (or bytes) are printed as \x..
    strings_hex: Literal["none", "non-ascii-chars", "non-ascii", "all"] = "none"
    nonverbose: list[str] = []  # outside -e verbose=: structures shown as their address
    dump_reads: list[int] = []  # -e read=: fds whose reads are dumped in hex (Arg.dump)
    dump_writes: list[int] = []  # -e write=: fds whose writes are dumped in hex
    # -yy, -e decode-fds=: the kinds of fd described (path, socket, dev, pidfd)
    fd_kinds: list[Literal["path", "socket", "dev", "pidfd"]] = []
    # -Y, --decode-pids=comm: pids (arguments, results, si_pid, each line's pid) with the
    # comm of their task, read at the stop: the events' ``comm`` fields
    decorate_pids: bool = False
    # -P's paths: the calls that touch none of them are dropped where they stop
    paths: list[str] = Field(default=[], max_length=256)
    kvm_vcpu: bool = False  # -e kvm=vcpu: KVM_RUN's result with the vcpu's exit reason


# SCM_MAX_FD: the most fds one sendmsg carries; a launch's stdio takes three of them.
MAX_LAUNCH_FDS = 253 - 3


TRACE_FIELD = (
    "strace's -e trace= value (null: every syscall), with argument predicates: "
    "NAME(CONDITION, ...) keeps only the calls whose integer arguments match, e.g. "
    "openat(flags&O_CREAT), kill(sig==SIGKILL), socket(domain==AF_INET|AF_INET6); "
    "see PROTOCOL.md"
)


class LaunchRequest(RequestBase):
    """Run ``argv`` traced.  With ``stdio``, the same message carries three fds
    (stdin, stdout, stderr) as SCM_RIGHTS; otherwise the command gets /dev/null.
    After them ride the fds the command inherits, one for each number in ``inherited``."""

    op: Literal["launch"]
    argv: list[str] = Field(min_length=1)
    env: dict[str, str] | None = None  # None: the daemon's own environment
    cwd: str | None = None
    umask: int | None = Field(default=None, ge=0, le=0o777)
    trace: str | None = Field(default=None, description=TRACE_FIELD)
    decoding: Decoding = Decoding()
    entries: bool = False  # syscall_entry events too, for strace-like live text
    entry_only: bool = False  # syscall_entry events only: one stop per call
    # -k: each syscall, signal and group-stop event carries its call stack (``stack``)
    stack_trace: bool = False
    # strace's -e inject= and -e fault= expressions, qualifier included, in order.
    inject: list[str] = Field(default=[], max_length=256)
    # error= injections into every call become the seccomp filter's SECCOMP_RET_ERRNO:
    # no stop, and no event for those calls.
    inject_in_kernel: bool = False
    # False: the tasks the command creates are not traced (--no-follow): no filter then.
    follow: bool = True
    full: bool = False  # --full: no seccomp filter, a stop at every syscall
    stdio: bool = False
    # The stdin sent is a terminal (a pty the client relays): the command's controlling
    # terminal, in its session of its own.
    tty: bool = False
    # Of 0, 1, 2: closed for the client, so closed for the command (a sent fd there
    # is a placeholder, ignored).
    closed: list[Annotated[int, Field(ge=0, le=2)]] = Field(default=[], max_length=3)
    # The command's numbers (3 and above) for the fds sent after stdio's, in order.
    inherited: list[Annotated[int, Field(ge=3, le=(1 << 20) - 1)]] = Field(
        default=[], max_length=MAX_LAUNCH_FDS
    )
    ignored_signals: list[int] = Field(default=[], max_length=64)  # the client's, as numbers
    detach: bool = False  # True: the session outlives this connection
    policy: Policy = "block"
    queue: int | None = Field(default=None, ge=1)


class AttachRequest(RequestBase):
    op: Literal["attach"]
    pid: int = Field(gt=0)
    trace: str | None = Field(default=None, description=TRACE_FIELD)
    decoding: Decoding = Decoding()
    entries: bool = False
    entry_only: bool = False
    stack_trace: bool = False  # -k, as launch's
    inject: list[str] = Field(default=[], max_length=256)  # as launch's, made at stops
    follow: bool = True  # False: the tasks it creates from now on are not traced
    policy: Policy = "block"
    queue: int | None = Field(default=None, ge=1)
    subscribe: bool = True
    detach: bool = False  # True: the session outlives this connection (else: detached)
    # Install traced's seccomp filter in the process (traced attach --filter), for the
    # life of the process: it is never detached.  When this connection goes, "keep"
    # traces on (the session is the daemon's, as with detach), "kill-on-exit" kills it.
    filter: Literal["keep", "kill-on-exit"] | None = None


class DetachRequest(RequestBase):
    op: Literal["detach"]
    session: str


class SignalRequest(RequestBase):
    op: Literal["signal"]
    session: str
    signal: int | str = "SIGTERM"


class ListRequest(RequestBase):
    op: Literal["list"]


class SubscribeRequest(RequestBase):
    """Events from now on: of one session or all, narrowed by syscall names or pid."""

    op: Literal["subscribe"]
    session: str | None = None
    trace: str | None = Field(default=None, description=TRACE_FIELD)
    pid: int | None = Field(default=None, gt=0)
    entries: bool = False  # syscall_entry events too, of sessions that make them
    policy: Policy = "drop"
    queue: int | None = Field(default=None, ge=1)


class StatsRequest(RequestBase):
    op: Literal["stats"]
    session: str | None = None


Request = Annotated[
    LaunchRequest
    | AttachRequest
    | DetachRequest
    | SignalRequest
    | ListRequest
    | SubscribeRequest
    | StatsRequest,
    Field(discriminator="op"),
]
# The one list of requests: the union above.  Their op names, and the daemon's table
# of handlers (keyed by these types, checked complete at start), follow from it.
REQUEST_TYPES: tuple[type[RequestBase], ...] = get_args(get_args(Request)[0])


def op_name(kind: type[RequestBase]) -> str:
    """The ``op`` a request type answers to: the one value of its ``op`` literal."""
    (name,) = get_args(kind.model_fields["op"].annotation)
    return str(name)


OPS = tuple(op_name(kind) for kind in REQUEST_TYPES)


# --- server to client ---------------------------------------------------------------


class Hello(Message):
    type: Literal["hello"] = "hello"
    protocol: int = PROTOCOL_VERSION
    server: str
    capabilities: list[str]
    max_line: int


class Response(Message):
    type: Literal["response"] = "response"
    id: RequestId
    result: dict[str, Any]


# The codes' schema as it was published (an inline enum, titled by its field), so that
# protocol/schema stays as it is while the codes themselves come from the enum.
Code = Annotated[
    ErrorCode,
    WithJsonSchema({"enum": [code.value for code in ErrorCode], "title": "Code", "type": "string"}),
]


class Error(Message):
    type: Literal["error"] = "error"
    id: RequestId | None
    code: Code
    message: str
    errno: str | None = None  # the errno name behind it, where there is one (e.g. ENOENT)

    @model_serializer(mode="wrap")
    def _absent_errno(self, dump: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Without an errno name the field is left out (PROTOCOL.md: absent means null)."""
        fields: dict[str, Any] = dump(self)
        if fields.get("errno") is None:
            fields.pop("errno", None)
        return fields


class Lost(Message):
    """In a drop-policy stream: ``count`` events of ``session`` were dropped here."""

    type: Literal["lost"] = "lost"
    session: str
    count: int = Field(ge=1)
    first_seq: int = Field(ge=1)
    last_seq: int = Field(ge=1)


class SessionInfo(Message):
    session: str
    kind: Literal["launch", "attach"]
    pid: int
    argv: list[str]
    uid: int
    started_ns: int
    tasks: int
    events: int = 0  # numbered so far: the session's last seq


class SessionEnd(Message):
    """The last message of a session's stream: every task is gone."""

    type: Literal["session_end"] = "session_end"
    session: str
    seq: int = Field(ge=0)  # the last event's seq: a client that saw 1..seq missed nothing
    code: int | None
    signal: str | None
    status: int | None  # as a shell reports it: code, or 128 + signal
    error: str | None = None  # why the command never ran, or why the daemon ended it


# --- results: a response's ``result``, by op ------------------------------------------
# The schema gives ``result`` as an open object (PROTOCOL.md section 5 gives each op's);
# these models are what the daemon builds it from.


class StartResult(Message):
    """launch's and attach's: the new session, and the pid of its root process."""

    session: str
    pid: int


class DetachResult(Message):
    """detach's: nothing."""


class SignalResult(Message):
    signal: str  # the name of the signal sent


class ListResult(Message):
    sessions: list[SessionInfo]  # the live sessions the client may see


class SubscribeResult(Message):
    subscription: str


class StatsResult(Message):
    sessions: dict[str, dict[str, int]]  # session id -> syscall name -> calls
    # The daemon's decoder failures since it started, "<type tag>/<exception>" -> count:
    # a decoder bug shows here (and in the log), never as a silently wrong argument.
    decoder_failures: dict[str, int] = {}
