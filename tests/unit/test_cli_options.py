"""The command line's grammar (cli/parser.py) and its shared options as values (cli/options.py)."""

from __future__ import annotations

import pytest

from traced.cli.options import command_argv, decoding_options, socket_path
from traced.cli.parser import build_parser


def test_launch_drops_the_double_dash_before_its_command() -> None:
    args = build_parser().parse_args(["launch", "-e", "trace=openat", "--", "ls", "-l"])
    assert command_argv(args) == ["ls", "-l"]
    assert args.expr == ["trace=openat"]


def test_attach_has_no_command() -> None:
    assert command_argv(build_parser().parse_args(["attach", "42"])) == []


def test_s_v_y_and_raw_make_the_decoding_options() -> None:
    args = build_parser().parse_args(["launch", "-s", "64", "-v", "-y", "--", "true"])
    options = decoding_options(args, frozenset({"read"}))
    assert (options.string_limit, options.verbose, options.decorate_fds) == (64, True, True)
    assert options.raw == frozenset({"read"})


@pytest.mark.parametrize("size", ["x", "-1", str((1 << 20) + 1)])
def test_a_string_limit_out_of_range_is_a_usage_error(
    size: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(["launch", "-s", size, "--", "true"])
    assert exit_info.value.code == 2
    assert f"invalid -s argument: '{size}'" in capsys.readouterr().err


def test_the_socket_is_the_options_then_the_environments(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A string, spelled as pathlib would spell it (the CLI does not import pathlib).
    monkeypatch.setenv("TRACED_SOCKET", "/run//env.sock/")
    assert socket_path(build_parser().parse_args(["--socket", "/a.sock", "ps"])) == "/a.sock"
    assert socket_path(build_parser().parse_args(["ps"])) == "/run/env.sock"
