"""The daemon's settings: defaults, the example file, and every way a file can be wrong."""

import logging
import re
import tomllib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from traced.daemon.config import (
    SECTIONS,
    Config,
    ConfigError,
    config_from_mapping,
    default_config_path,
    default_socket_path,
    load_config,
)
from traced.daemon.paths import as_path, default_socket
from traced.errors import TracedError

EXAMPLE = Path(__file__).resolve().parents[2] / "config.example.toml"

DEFAULTS = {
    "socket_path": None,
    "log_level": "info",
    "max_clients": 64,
    "max_sessions": 64,
    "max_sessions_per_uid": 16,
    "max_tasks_per_session": 4096,
    "queue_size": 65536,
    "max_line": 16777216,
    "string_size": 32,
    "kill_grace_seconds": 3.0,
    "allow_uids": (),
    "workers": None,
}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def error_of(tmp_path: Path, text: str) -> ConfigError:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(path) in str(caught.value)
    assert caught.value.path == path
    return caught.value


# Defaults and the example file


def test_defaults() -> None:
    assert Config().model_dump() == DEFAULTS
    assert Config().log_level_number == logging.INFO


def test_sections_cover_every_setting_once() -> None:
    keys = [key for keys in SECTIONS.values() for key in keys]
    assert sorted(keys) == sorted(Config.model_fields)


def test_example_file_gives_exactly_the_defaults() -> None:
    assert load_config(EXAMPLE) == Config()


def test_example_file_documents_every_key_with_a_comment() -> None:
    lines = EXAMPLE.read_text().splitlines()
    for key in Config.model_fields:
        # A key's line (socket_path's is commented out: its default is computed).
        [index] = [i for i, line in enumerate(lines) if re.match(rf"#? ?{key} = ", line)]
        assert lines[index - 1].startswith("#"), f"{key} has no comment above it"


def test_example_file_puts_each_key_in_its_section() -> None:
    document = tomllib.loads(EXAMPLE.read_text())
    assert set(document) == set(SECTIONS)
    for section, keys in document.items():
        assert set(keys) <= set(SECTIONS[section])


def test_empty_file_and_empty_sections_give_the_defaults(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, "")) == Config()
    assert load_config(write(tmp_path, "[daemon]\n[limits]\n[delivery]\n")) == Config()


def test_values_are_read_from_their_sections(tmp_path: Path) -> None:
    config = load_config(
        write(
            tmp_path,
            """
            [daemon]
            socket_path = "/tmp/t.sock"
            log_level = "debug"
            allow_uids = [1000, 1001]
            kill_grace_seconds = 1
            [limits]
            max_clients = 2
            max_line = 4096
            [delivery]
            string_size = 256
            """,
        )
    )
    assert config.socket_path == Path("/tmp/t.sock")
    assert config.log_level_number == logging.DEBUG
    assert config.allow_uids == (1000, 1001)
    assert config.kill_grace_seconds == 1.0
    assert (config.max_clients, config.max_line, config.string_size) == (2, 4096, 256)
    assert config.max_sessions == 64


def test_config_is_frozen_and_rejects_unknown_fields() -> None:
    config = Config()
    with pytest.raises(ValidationError):
        config.max_clients = 3  # type: ignore[misc]
    with pytest.raises(ValidationError):
        Config(max_client=3)  # type: ignore[call-arg]


# Bad values name the file, the key and the value


@pytest.mark.parametrize(
    ("section", "assignment", "named"),
    [
        ("limits", "max_clients = 0", "[limits] max_clients = 0"),
        ("limits", "max_sessions = -1", "[limits] max_sessions = -1"),
        ("limits", "max_sessions_per_uid = 0", "[limits] max_sessions_per_uid = 0"),
        ("limits", "max_tasks_per_session = 0", "[limits] max_tasks_per_session = 0"),
        ("limits", "max_line = 100", "[limits] max_line = 100"),
        ("limits", 'max_clients = "64"', '[limits] max_clients = "64"'),
        ("limits", "max_clients = true", "[limits] max_clients = true"),
        ("limits", "max_clients = 6.5", "[limits] max_clients = 6.5"),
        ("delivery", "queue_size = 0", "[delivery] queue_size = 0"),
        ("delivery", "string_size = 0", "[delivery] string_size = 0"),
        ("daemon", 'log_level = "loud"', '[daemon] log_level = "loud"'),
        ("daemon", 'log_level = "INFO"', '[daemon] log_level = "INFO"'),
        ("daemon", "kill_grace_seconds = 0", "[daemon] kill_grace_seconds = 0"),
        ("daemon", "kill_grace_seconds = -1.5", "[daemon] kill_grace_seconds = -1.5"),
        ("daemon", "kill_grace_seconds = inf", "[daemon] kill_grace_seconds = inf"),
        ("daemon", 'kill_grace_seconds = "3"', '[daemon] kill_grace_seconds = "3"'),
        ("daemon", "allow_uids = [1000, -1]", "[daemon] allow_uids[1] = -1"),
        ("daemon", "allow_uids = [4294967295]", "[daemon] allow_uids[0] = 4294967295"),
        ("daemon", 'allow_uids = ["bob"]', '[daemon] allow_uids[0] = "bob"'),
        ("daemon", "allow_uids = 1000", "[daemon] allow_uids = 1000"),
        ("daemon", 'socket_path = "relative.sock"', '[daemon] socket_path = "relative.sock"'),
        ("daemon", 'socket_path = ""', '[daemon] socket_path = ""'),
        ("daemon", "socket_path = 3", "[daemon] socket_path = 3"),
    ],
)
def test_bad_value_names_key_and_value(
    tmp_path: Path, section: str, assignment: str, named: str
) -> None:
    error = error_of(tmp_path, f"[{section}]\n{assignment}\n")
    assert isinstance(error, TracedError)
    assert len(error.problems) == 1
    assert error.problems[0].startswith(named + ": ")
    assert named in str(error)


def test_too_long_socket_path_is_rejected(tmp_path: Path) -> None:
    long_path = "/" + "d" * 120 + "/t.sock"
    error = error_of(tmp_path, f'[daemon]\nsocket_path = "{long_path}"\n')
    assert "AF_UNIX" in str(error) and "socket_path" in str(error)


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    error = error_of(
        tmp_path,
        '[limits]\nmax_clients = 0\nmax_sesions = 3\n[daemon]\nlog_level = "x"\n',
    )
    assert len(error.problems) == 3
    for key in ("max_clients", "max_sesions", "log_level"):
        assert key in str(error)


# Unknown and misplaced keys


def test_unknown_key_is_rejected_with_a_suggestion(tmp_path: Path) -> None:
    error = error_of(tmp_path, "[limits]\nmax_client = 3\n")
    assert error.problems == ("[limits] max_client: unknown key (did you mean max_clients?)",)


def test_unknown_section_is_rejected(tmp_path: Path) -> None:
    error = error_of(tmp_path, "[server]\nmax_clients = 3\n")
    assert "server: unknown key or section" in str(error)


def test_unknown_top_level_key_is_rejected(tmp_path: Path) -> None:
    error = error_of(tmp_path, "colour = true\n")
    assert "colour: unknown key or section" in str(error)


def test_key_in_the_wrong_section_names_the_right_one(tmp_path: Path) -> None:
    error = error_of(tmp_path, "[daemon]\nmax_clients = 3\n")
    assert error.problems == ("[daemon] max_clients: this key belongs in the [limits] section",)


def test_key_outside_any_section_names_its_section(tmp_path: Path) -> None:
    error = error_of(tmp_path, 'log_level = "debug"\n')
    assert error.problems == ("log_level: this key belongs in the [daemon] section",)


def test_section_that_is_not_a_table(tmp_path: Path) -> None:
    error = error_of(tmp_path, "daemon = 3\n")
    assert "daemon = 3" in str(error) and "section" in str(error)


# Files that cannot be read or parsed


def test_invalid_toml_names_file_and_position(tmp_path: Path) -> None:
    error = error_of(tmp_path, "[limits]\nmax_clients = \n")
    assert "invalid TOML" in str(error) and "line 2" in str(error)


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b'[daemon]\nlog_level = "\xff"\n')
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(path)


def test_missing_explicit_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "absent.toml"
    with pytest.raises(ConfigError, match="cannot read") as caught:
        load_config(path)
    assert str(path) in str(caught.value) and caught.value.errno_name == "ENOENT"


def test_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path)


def test_mapping_without_a_file() -> None:
    assert config_from_mapping({"limits": {"max_clients": 5}}).max_clients == 5
    with pytest.raises(ConfigError, match=r"^configuration: \[limits\] max_clients = 0"):
        config_from_mapping({"limits": {"max_clients": 0}})


# The default file


def test_no_path_and_no_default_file_gives_the_defaults(tmp_path: Path) -> None:
    assert load_config(None, env={"XDG_CONFIG_HOME": str(tmp_path)}) == Config()


def test_no_path_loads_the_default_file(tmp_path: Path) -> None:
    (tmp_path / "traced").mkdir()
    (tmp_path / "traced" / "config.toml").write_text("[limits]\nmax_clients = 7\n")
    assert load_config(None, env={"XDG_CONFIG_HOME": str(tmp_path)}).max_clients == 7


def test_bad_default_file_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "traced").mkdir()
    path = tmp_path / "traced" / "config.toml"
    path.write_text("[limits]\nmax_clients = 0\n")
    with pytest.raises(ConfigError, match=re.escape(str(path))):
        load_config(None, env={"XDG_CONFIG_HOME": str(tmp_path)})


def test_no_path_uses_os_environ(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    (tmp_path / "traced").mkdir()
    (tmp_path / "traced" / "config.toml").write_text("[delivery]\nqueue_size = 9\n")
    assert load_config(None).queue_size == 9


def test_default_config_path() -> None:
    assert default_config_path({"XDG_CONFIG_HOME": "/x", "HOME": "/h"}) == Path(
        "/x/traced/config.toml"
    )
    assert default_config_path({"HOME": "/h"}) == Path("/h/.config/traced/config.toml")
    # A relative XDG_CONFIG_HOME is ignored, as the XDG spec asks.
    assert default_config_path({"XDG_CONFIG_HOME": "x", "HOME": "/h"}) == Path(
        "/h/.config/traced/config.toml"
    )
    assert default_config_path({"XDG_CONFIG_HOME": "", "HOME": "/h"}) == Path(
        "/h/.config/traced/config.toml"
    )


# The socket path


def test_socket_path_under_xdg_runtime_dir() -> None:
    env = {"XDG_RUNTIME_DIR": "/run/user/1000"}
    assert default_socket_path(env, 1000) == Path("/run/user/1000/traced/traced.sock")
    assert default_socket_path(env, 0) == Path("/run/user/1000/traced/traced.sock")


def test_socket_path_without_xdg_runtime_dir() -> None:
    assert default_socket_path({}, 1000) == Path("/run/user/1000/traced/traced.sock")
    assert default_socket_path({}, 0) == Path("/run/traced/traced.sock")


def test_socket_path_ignores_empty_or_relative_xdg_runtime_dir() -> None:
    assert default_socket_path({"XDG_RUNTIME_DIR": ""}, 0) == Path("/run/traced/traced.sock")
    assert default_socket_path({"XDG_RUNTIME_DIR": "run"}, 5) == Path(
        "/run/user/5/traced/traced.sock"
    )


@given(st.text(alphabet="/.a\u00e9", max_size=12))
def test_the_cli_spells_a_path_as_pathlib_does(text: str) -> None:
    # The CLI keeps socket paths as strings (pathlib is slow to import), spelled as
    # pathlib spells them: "/s/t.sock/" is "/s/t.sock", "//x" stays "//x".
    assert as_path(text) == str(Path(text))


@pytest.mark.parametrize(
    "env",
    [{}, {"XDG_RUNTIME_DIR": "/r/"}, {"XDG_RUNTIME_DIR": "//r//./x/.."}, {"XDG_RUNTIME_DIR": "r"}],
)
@pytest.mark.parametrize("uid", [0, 1000])
def test_the_default_socket_as_a_string_is_the_path_as_pathlib_builds_it(
    env: dict[str, str], uid: int
) -> None:
    runtime = env.get("XDG_RUNTIME_DIR", "")
    expected = (
        Path(runtime) / "traced" / "traced.sock"
        if runtime.startswith("/")
        else Path("/run/traced/traced.sock")
        if uid == 0
        else Path("/run/user") / str(uid) / "traced" / "traced.sock"
    )
    assert default_socket(env, uid) == str(expected)
    assert default_socket_path(env, uid) == expected


def test_resolved_socket_path_prefers_the_setting() -> None:
    env = {"XDG_RUNTIME_DIR": "/r"}
    assert Config().socket_path is None
    assert Config().resolved_socket_path(env, 1000) == Path("/r/traced/traced.sock")
    assert Config().resolved_socket_path({}, 0) == Path("/run/traced/traced.sock")
    configured = Config(socket_path=Path("/s/t.sock"))
    assert configured.resolved_socket_path(env, 1000) == Path("/s/t.sock")


def test_resolved_socket_path_defaults_to_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", "/somewhere")
    assert Config().resolved_socket_path() == Path("/somewhere/traced/traced.sock")
