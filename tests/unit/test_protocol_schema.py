"""protocol/ against the models: the schema files are current, every transcript line is valid.

jsonschema is not installed, so a transcript line is checked against the schema
files by a small structural check (its definition by discriminator, required and
known fields, value types, consts, enums, bounds) and fully by the pydantic models.
"""

from __future__ import annotations

import importlib.util
import json
import operator
from pathlib import Path
from types import ModuleType
from typing import Any

import msgspec
import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

from traced.events import event_json, parse_event
from traced.wire.framing import LineDecoder, Oversized
from traced.wire.protocol import (
    OPS,
    PROTOCOL_VERSION,
    Error,
    Hello,
    Lost,
    Request,
    Response,
    SessionEnd,
    SessionInfo,
)

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_DIR = ROOT / "protocol" / "schema"
TRANSCRIPTS = sorted((ROOT / "protocol" / "transcripts").glob("*.jsonl"))
REGENERATE = ".venv/bin/python scripts/gen_protocol_schema.py"

REQUEST: TypeAdapter[Any] = TypeAdapter(Request)
EVENT_TYPES = {
    "syscall",
    "syscall_entry",
    "spawn",
    "exec",
    "signal",
    "exit",
    "group_stop",
    "seccomp_filter",
}
SERVER_MODELS: dict[str, type[BaseModel]] = {
    "hello": Hello,
    "response": Response,
    "error": Error,
    "lost": Lost,
    "session_end": SessionEnd,
}
BOUNDS = {"minimum": operator.ge, "maximum": operator.le, "exclusiveMinimum": operator.gt}


def load_generator() -> ModuleType:
    path = ROOT / "scripts" / "gen_protocol_schema.py"
    spec = importlib.util.spec_from_file_location("gen_protocol_schema", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_schema(name: str) -> dict[str, Any]:
    return json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))


def read_transcript(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def server_messages(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [line["msg"] for line in lines if line["dir"] == "s2c"]


def max_line(lines: list[dict[str, Any]]) -> int:
    return int(lines[0]["msg"]["max_line"])


# --- the schema files -----------------------------------------------------------------


def test_schema_files_are_current() -> None:
    generator = load_generator()
    outdated = generator.stale(SCHEMA_DIR, generator.generate())
    assert not outdated, f"protocol/schema is stale ({', '.join(outdated)}): run {REGENERATE}"


def refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if "$ref" in node else []
        return own + [ref for value in node.values() for ref in refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in refs(value)]
    return []


def resolve(schema: dict[str, Any], ref: str) -> dict[str, Any]:
    assert ref.startswith("#/$defs/"), ref
    return dict(schema["$defs"][ref.removeprefix("#/$defs/")])


@pytest.mark.parametrize("name", sorted(p.name for p in SCHEMA_DIR.glob("*.json")))
def test_schema_structure(name: str) -> None:
    schema = load_schema(name)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"]
    for ref in refs(schema):
        resolve(schema, ref)  # every reference points into this very file
    if name != "request.json":  # what the daemon sends: every field but null-by-default ones
        for definition in [schema, *schema.get("$defs", {}).values()]:
            if "properties" in definition:
                properties = definition["properties"].items()
                always = {key for key, prop in properties if prop.get("default", 0) is not None}
                assert set(definition["required"]) == always, definition
                assert "additionalProperties" not in definition, "clients ignore unknown fields"


def mapping(name: str, key: str) -> dict[str, str]:
    discriminator = load_schema(name)["discriminator"]
    assert discriminator["propertyName"] == key
    return dict(discriminator["mapping"])


def test_schema_unions_cover_every_message() -> None:
    assert set(mapping("request.json", "op")) == set(OPS)
    assert set(mapping("event.json", "type")) == EVENT_TYPES
    assert set(mapping("server-message.json", "type")) == EVENT_TYPES | set(SERVER_MODELS)


@pytest.mark.parametrize("name", ["event.json", "server-message.json"])
def test_events_on_the_wire_require_an_integer_seq(name: str) -> None:
    schema = load_schema(name)
    for kind, ref in mapping(name, "type").items():
        definition = resolve(schema, ref)
        if kind in EVENT_TYPES:
            assert "seq" in definition["required"]
            assert definition["properties"]["seq"]["type"] == "integer"


# --- checking a message against a schema file ---------------------------------------------


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    names = {int: "integer", float: "number", str: "string", list: "array", dict: "object"}
    return names[type(value)]


def matches(root: dict[str, Any], prop: dict[str, Any], value: Any) -> bool:
    """The keywords pydantic emits for our fields, enough to catch a wrong value."""
    if "$ref" in prop:
        return matches(root, resolve(root, prop["$ref"]), value)
    if "anyOf" in prop:
        return any(matches(root, option, value) for option in prop["anyOf"])
    if "const" in prop and value != prop["const"]:
        return False
    if "enum" in prop and value not in prop["enum"]:
        return False
    if "type" in prop and json_type(value) != prop["type"]:
        return False
    if any(key in prop and not test(value, prop[key]) for key, test in BOUNDS.items()):
        return False
    if isinstance(value, list) and "items" in prop:
        return len(value) >= prop.get("minItems", 0) and all(
            matches(root, prop["items"], item) for item in value
        )
    return True


def schema_errors(schema: dict[str, Any], key: str, msg: dict[str, Any]) -> list[str]:
    """What is wrong with ``msg`` for the union ``schema``, whose members ``key`` tells apart."""
    ref = schema["discriminator"]["mapping"].get(msg.get(key))
    if ref is None:
        return [f"no definition for {key}={msg.get(key)!r}"]
    return object_errors(schema, resolve(schema, ref), msg)


def object_errors(schema: dict[str, Any], definition: dict[str, Any], msg: Any) -> list[str]:
    if not isinstance(msg, dict):
        return [f"not an object: {msg!r}"]
    properties = definition["properties"]
    errors = [f"missing {name}" for name in definition["required"] if name not in msg]
    errors += [f"unknown field {name}" for name in msg if name not in properties]
    errors += [
        f"bad value for {name}: {value!r}"
        for name, value in msg.items()
        if name in properties and not matches(schema, properties[name], value)
    ]
    return errors


# --- the transcripts ---------------------------------------------------------------------


def transcript_ids(path: Path) -> str:
    return path.stem


transcripts = pytest.mark.parametrize("path", TRANSCRIPTS, ids=transcript_ids)


def test_transcripts_exist() -> None:
    names = {path.stem for path in TRANSCRIPTS}
    assert names >= {"launch", "subscribe-all", "errors", "list-stats"}


@transcripts
def test_transcript_line_format(path: Path) -> None:
    for line in read_transcript(path):
        assert line["dir"] in ("c2s", "s2c"), line
        assert len({"msg", "raw"} & set(line)) == 1, line
        assert set(line) <= {"dir", "msg", "raw", "fds"}, line
        if "raw" in line:
            assert line["dir"] == "c2s" and isinstance(line["raw"], str), line
        else:
            assert isinstance(line["msg"], dict), line
        if "fds" in line:
            assert line["dir"] == "c2s" and line["msg"].get("stdio") is True, line
            assert line["fds"] == 3, line


@transcripts
def test_transcript_opens_with_hello(path: Path) -> None:
    first = read_transcript(path)[0]
    assert first["dir"] == "s2c" and first["msg"]["type"] == "hello"
    assert first["msg"]["protocol"] == PROTOCOL_VERSION
    assert first["msg"]["capabilities"] == list(OPS)


def list_items(msg: dict[str, Any]) -> list[Any]:
    """The SessionInfo items of a ``list`` result (``stats`` has a ``sessions`` object)."""
    sessions = msg.get("result", {}).get("sessions") if msg["type"] == "response" else None
    return sessions if isinstance(sessions, list) else []


@transcripts
def test_transcript_matches_schema_files(path: Path) -> None:
    request, server = load_schema("request.json"), load_schema("server-message.json")
    info = load_schema("session-info.json")
    for line in read_transcript(path):
        if "msg" in line:
            schema, key = (request, "op") if line["dir"] == "c2s" else (server, "type")
            assert not schema_errors(schema, key, line["msg"]), line
        if line["dir"] == "s2c":
            for item in list_items(line["msg"]):
                assert not object_errors(info, info, item), item


def check_server_message(msg: dict[str, Any]) -> None:
    """Valid for its model, with nothing coerced on the way (a round trip gives it back)."""
    if msg["type"] in EVENT_TYPES:
        fields = dict(msg)
        seq = fields.pop("seq")
        assert isinstance(seq, int) and not isinstance(seq, bool) and seq >= 1
        assert msgspec.json.decode(event_json(parse_event(fields))) == fields
        return
    model = SERVER_MODELS[msg["type"]].model_validate(msg)
    assert model.model_dump(mode="json", exclude_unset=True) == msg
    for item in list_items(msg):
        assert SessionInfo.model_validate(item).model_dump(mode="json") == item


@transcripts
def test_transcript_matches_models(path: Path) -> None:
    for line in read_transcript(path):
        if line["dir"] == "s2c":
            check_server_message(line["msg"])
        elif "msg" in line:
            parsed = REQUEST.validate_python(line["msg"])
            assert REQUEST.dump_python(parsed, mode="json", exclude_unset=True) == line["msg"]


def classify(raw: str, limit: int) -> str | None:
    """The error code a daemon with ``limit`` answers ``raw`` with; None for a valid request."""
    [frame] = LineDecoder(limit).feed(raw.encode() + b"\n")
    if isinstance(frame, Oversized):
        return "line_too_long"
    try:
        message = json.loads(frame.data)
    except ValueError:
        return "malformed"
    if not isinstance(message, dict):
        return "malformed"
    if message.get("op") not in OPS:
        return "unknown_op"
    try:
        REQUEST.validate_python(message)
    except ValidationError:
        return "invalid"
    return None


def echoed_id(raw: str, code: str) -> int | str | None:
    """An error echoes the id of any JSON object that has a usable one."""
    if code in ("line_too_long", "malformed"):
        return None
    request_id = json.loads(raw).get("id")
    usable = isinstance(request_id, int | str) and not isinstance(request_id, bool)
    return request_id if usable else None


def expected_answer(line: dict[str, Any], limit: int) -> tuple[int | str | None, str | None]:
    """(id, error code) of the answer a client line must get; code None: any answer."""
    if "msg" in line:
        return line["msg"]["id"], None
    code = classify(line["raw"], limit)
    assert code is not None, f"a raw line must not be a valid request: {line}"
    return echoed_id(line["raw"], code), code


@transcripts
def test_transcript_answers_every_request_once(path: Path) -> None:
    lines = read_transcript(path)
    pending: list[tuple[int | str | None, str | None]] = []
    for line in lines:
        if line["dir"] == "c2s":
            pending.append(expected_answer(line, max_line(lines)))
            continue
        msg = line["msg"]
        if msg["type"] not in ("response", "error"):
            continue
        match = next((p for p in pending if p[0] == msg["id"]), None)
        assert match is not None, f"answer to no pending request: {msg}"
        pending.remove(match)
        if match[1] is not None:
            assert msg["type"] == "error" and msg["code"] == match[1], msg
    assert not pending, f"requests never answered: {pending}"


def fresh_sessions(lines: list[dict[str, Any]]) -> set[str]:
    """Sessions this connection launched and follows: their stream starts at seq 1."""
    launched = {
        line["msg"]["id"]
        for line in lines
        if line["dir"] == "c2s" and line.get("msg", {}).get("op") == "launch"
        if not line["msg"].get("detach", False)
    }
    return {
        msg["result"]["session"]
        for msg in server_messages(lines)
        if msg["type"] == "response" and msg["id"] in launched
    }


def advance(last: dict[str, int], fresh: set[str], session: str, first: int, upto: int) -> None:
    """Seqs ``first..upto`` of ``session`` arrived (or were reported lost) next."""
    expected = last[session] + 1 if session in last else 1 if session in fresh else first
    assert first == expected and upto >= first, (session, first, upto, expected)
    last[session] = upto


@transcripts
def test_transcript_seq_accounts_for_every_event(path: Path) -> None:
    lines = read_transcript(path)
    fresh, last, ended = fresh_sessions(lines), dict[str, int](), set[str]()
    for msg in server_messages(lines):
        session = msg.get("session")
        assert session not in ended, f"message after session_end: {msg}"
        if msg["type"] == "syscall_entry":  # a preview: the number of the event before
            assert msg["seq"] == last.get(session, 0), msg
        elif msg["type"] in EVENT_TYPES:
            advance(last, fresh, msg["session"], msg["seq"], msg["seq"])
        elif msg["type"] == "lost":
            advance(last, fresh, msg["session"], msg["first_seq"], msg["last_seq"])
            assert 1 <= msg["count"] <= msg["last_seq"] - msg["first_seq"] + 1
        elif msg["type"] == "session_end":
            assert msg["seq"] == last.get(msg["session"], msg["seq"])
            ended.add(msg["session"])
    assert fresh <= ended, "a launched session's stream must end with session_end"


def test_transcripts_cover_the_protocol() -> None:
    lines = [line for path in TRANSCRIPTS for line in read_transcript(path)]
    messages = server_messages(lines)
    codes = {msg["code"] for msg in messages if msg["type"] == "error"}
    ops = {line["msg"]["op"] for line in lines if line["dir"] == "c2s" and "msg" in line}
    assert {msg["type"] for msg in messages} == EVENT_TYPES | set(SERVER_MODELS)
    assert codes >= {"malformed", "unknown_op", "invalid", "unknown_syscall", "line_too_long"}
    assert ops == set(OPS)
    assert any("fds" in line for line in lines)
