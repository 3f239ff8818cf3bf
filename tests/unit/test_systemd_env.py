"""The pure parts of the systemd integration: the environment it reads and scrubs."""

import pytest

from traced.daemon.systemd import (
    SocketActivationError,
    notify,
    notify_address,
    parse_listen_env,
    parse_listen_names,
    scrub_environment,
    status,
)
from traced.errors import TracedError

PID = 4242


# parse_listen_env


def test_matching_pid_gives_the_count() -> None:
    assert parse_listen_env({"LISTEN_PID": str(PID), "LISTEN_FDS": "1"}, PID) == 1
    assert parse_listen_env({"LISTEN_PID": str(PID), "LISTEN_FDS": "3"}, PID) == 3
    assert parse_listen_env({"LISTEN_PID": str(PID), "LISTEN_FDS": "0"}, PID) == 0


def test_other_pid_means_inherited_not_ours() -> None:
    assert parse_listen_env({"LISTEN_PID": str(PID + 1), "LISTEN_FDS": "2"}, PID) == 0


def test_missing_variables_mean_not_activated() -> None:
    assert parse_listen_env({}, PID) == 0
    assert parse_listen_env({"LISTEN_FDS": "2"}, PID) == 0
    assert parse_listen_env({"LISTEN_PID": str(PID)}, PID) == 0


@pytest.mark.parametrize(
    ("listen_pid", "listen_fds", "bad"),
    [
        ("abc", "1", "LISTEN_PID"),
        ("", "1", "LISTEN_PID"),
        ("0", "1", "LISTEN_PID"),
        ("-4242", "1", "LISTEN_PID"),
        (" 4242", "1", "LISTEN_PID"),
        (str(PID), "x", "LISTEN_FDS"),
        (str(PID), "-1", "LISTEN_FDS"),
        (str(PID), "1.0", "LISTEN_FDS"),
        (str(PID), "", "LISTEN_FDS"),
        (str(PID), "\N{SUPERSCRIPT TWO}", "LISTEN_FDS"),
    ],
)
def test_malformed_values_are_an_error_naming_the_variable(
    listen_pid: str, listen_fds: str, bad: str
) -> None:
    env = {"LISTEN_PID": listen_pid, "LISTEN_FDS": listen_fds}
    with pytest.raises(SocketActivationError, match=bad) as caught:
        parse_listen_env(env, PID)
    assert isinstance(caught.value, TracedError)


def test_malformed_count_is_an_error_even_for_another_pid() -> None:
    with pytest.raises(SocketActivationError):
        parse_listen_env({"LISTEN_PID": str(PID + 1), "LISTEN_FDS": "many"}, PID)


# parse_listen_names


def test_names_match_the_count() -> None:
    assert parse_listen_names({"LISTEN_FDNAMES": "ctl"}, 1) == ["ctl"]
    assert parse_listen_names({"LISTEN_FDNAMES": "a:b"}, 2) == ["a", "b"]


def test_names_default_to_unknown() -> None:
    assert parse_listen_names({}, 2) == ["unknown", "unknown"]
    assert parse_listen_names({"LISTEN_FDNAMES": "a:b"}, 3) == ["unknown"] * 3
    assert parse_listen_names({}, 0) == []


# scrub_environment


def test_scrub_removes_only_the_systemd_variables() -> None:
    env = {
        "PATH": "/usr/bin",
        "HOME": "/root",
        "NOTIFY_SOCKET": "/run/systemd/notify",
        "LISTEN_PID": "1",
        "LISTEN_FDS": "1",
        "LISTEN_FDNAMES": "traced.socket",
        "LISTEN_FDS_EXTRA": "kept",
        "XDG_RUNTIME_DIR": "/run/user/0",
    }
    scrubbed = scrub_environment(env)
    assert scrubbed == {
        "PATH": "/usr/bin",
        "HOME": "/root",
        "LISTEN_FDS_EXTRA": "kept",
        "XDG_RUNTIME_DIR": "/run/user/0",
    }
    assert "NOTIFY_SOCKET" in env  # a copy: the original is untouched


def test_scrub_of_a_clean_environment_is_an_equal_copy() -> None:
    env = {"A": "1"}
    scrubbed = scrub_environment(env)
    assert scrubbed == env and scrubbed is not env


# notify without a socket, and the message helpers


def test_notify_without_notify_socket_is_false(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    assert notify("READY=1") is False
    monkeypatch.setenv("NOTIFY_SOCKET", "")
    assert notify("READY=1") is False


def test_notify_to_an_unusable_address_is_false(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTIFY_SOCKET", "vsock:2:1234")
    assert notify("READY=1") is False


def test_notify_address() -> None:
    assert notify_address("/run/systemd/notify") == b"/run/systemd/notify"
    assert notify_address("@abstract/name") == b"\0abstract/name"
    assert notify_address("@") is None
    assert notify_address("relative") is None
    assert notify_address("vsock:2:1234") is None


def test_status_cannot_inject_another_assignment() -> None:
    assert status("tracing 3 sessions") == "STATUS=tracing 3 sessions"
    assert status("a\nREADY=1") == "STATUS=a READY=1"
