"""The command line's grammar (cli/parser.py) and its shared options as values (cli/options.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from traced.cli.options import (
    command_argv,
    decoding_options,
    printing,
    selected_paths,
    socket_path,
)
from traced.cli.parser import UsageError, build_parser, strace_style
from traced.filter.expression import Filter


def test_launch_drops_the_double_dash_before_its_command() -> None:
    args = build_parser().parse_args(["launch", "-e", "trace=openat", "--", "ls", "-l"])
    assert command_argv(args) == ["ls", "-l"]
    assert args.expr == ["trace=openat"]


def test_attach_has_no_command() -> None:
    assert command_argv(build_parser().parse_args(["attach", "42"])) == []


def test_s_v_y_and_raw_make_the_decoding_options() -> None:
    args = build_parser().parse_args(["launch", "-s", "64", "-v", "-y", "--", "true"])
    options = decoding_options(args, Filter(raw=frozenset({"read"})))
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


def test_every_option_of_every_command_says_what_it_does() -> None:
    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command")
    for name, sub in commands.choices.items():  # type: ignore[union-attr]
        sub.format_help()  # fills the command's arguments
        for action in sub._actions:
            assert action.help, f"traced {name} {'/'.join(action.option_strings) or action.dest}"


@pytest.mark.parametrize(
    ("argv", "attach"),
    [
        (["-p", "12"], ["attach", "12"]),
        (["-p12", "-e", "trace=read"], ["attach", "-e", "trace=read", "12"]),
        (["-e", "trace=read", "-p", "5"], ["attach", "-e", "trace=read", "5"]),
        (["--socket", "/s", "-p", "9", "-f"], ["--socket", "/s", "attach", "-f", "9"]),
        (["launch", "--", "x", "-p", "3"], ["launch", "--", "x", "-p", "3"]),
    ],
)
def test_strace_style_p_is_attach(argv: list[str], attach: list[str]) -> None:
    assert strace_style(argv) == attach


@pytest.mark.parametrize("count", ["-c", "-C"])
@pytest.mark.parametrize("output", [[], ["-o", "trace"]])
def test_a_summary_with_one_file_per_process_is_refused_as_strace_refuses_it(
    count: str, output: list[str], tmp_path: Path
) -> None:
    """strace 6.1: ``(-c/--summary-only or -C/--summary) and -ff/--output-separately
    are mutually exclusive``, with -o or without; no file is written."""
    argv = ["launch", count, "-ff", *output, "--", "true"]
    args = build_parser().parse_args([a if a != "trace" else str(tmp_path / a) for a in argv])
    with (
        pytest.raises(UsageError, match=r"\(-c or -C\) and -ff are mutually exclusive"),
        printing(args),
    ):
        pass
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("argv", "xlat", "strings"),
    [
        (["-X", "raw"], "raw", "none"),
        (["-Xverbose"], "verbose", "none"),
        (["--xlat-verbosity=abbrev", "-x"], "abbrev", "non-ascii"),
        (["-xx"], "abbrev", "all"),
        (["-xxx"], "abbrev", "all"),
        (["--strings-in-hex"], "abbrev", "all"),
        (["--strings-in-hex=non-ascii-chars"], "abbrev", "non-ascii-chars"),
    ],
)
def test_x_and_xx_make_the_printing_style(argv: list[str], xlat: str, strings: str) -> None:
    args = build_parser().parse_args(["launch", *argv, "--", "true"])
    options = decoding_options(args)
    assert (options.xlat, options.strings_hex) == (xlat, strings)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["-X", "names"], "invalid -X argument: 'names'"),
        (["--strings-in-hex=some"], "invalid --strings-in-hex argument: 'some'"),
    ],
)
def test_bad_styles_are_usage_errors(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["launch", *argv, "--", "true"])
    assert message in capsys.readouterr().err


def test_x_with_strings_in_hex_is_refused() -> None:
    args = build_parser().parse_args(["launch", "-x", "--strings-in-hex", "--", "true"])
    with pytest.raises(UsageError, match="-x and --strings-in-hex"):
        decoding_options(args)


@pytest.mark.parametrize(
    ("argv", "decorate", "kinds"),
    [
        (["-e", "decode-fds=path"], 1, set()),
        (["--decode-fds"], 1, set()),
        (["--decode-fds=none"], 0, set()),
        (["-e", "decode-fd=!all"], 0, set()),
        (["-y"], 1, set()),
        (["-yy"], 2, {"path", "socket", "dev", "pidfd"}),
        (["-e", "decode-fds=all"], 1, {"path", "socket", "dev", "pidfd"}),
        (["-e", "decode-fds=dev,pidfd"], 1, {"dev", "pidfd"}),
    ],
)
def test_decode_fds_sets(argv: list[str], decorate: int, kinds: set[str], tmp_path: Path) -> None:
    args = build_parser().parse_args(["launch", "-o", str(tmp_path / "t"), *argv, "--", "true"])
    with printing(args):
        assert (args.decorate_fds, args.fd_kinds) == (decorate, kinds)
        assert args.expr == []
        assert decoding_options(args).fd_kinds == kinds


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["-e", "decode-fds=eventfd"], "invalid decode-fds 'eventfd'"),
        (["-e", "decode-fds=pathx"], "invalid decode-fds 'pathx'"),
        (["-y", "--decode-fds"], "-y and --decode-fds cannot"),
    ],
)
def test_decode_fds_refusals(argv: list[str], message: str, tmp_path: Path) -> None:
    args = build_parser().parse_args(["launch", "-o", str(tmp_path / "t"), *argv, "--", "true"])
    with pytest.raises(UsageError, match=message), printing(args):
        pass


def test_a_relative_path_is_kept_with_what_it_resolves_to(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """As strace's pathtrace_select: the fds of ``include/x.h`` have absolute targets."""
    (tmp_path / "include").mkdir()
    (tmp_path / "include" / "x.h").write_text("")
    monkeypatch.chdir(tmp_path)
    absolute = str(tmp_path / "include" / "x.h")
    assert selected_paths(["include/x.h", "missing"], frozenset()) == [
        "include/x.h",
        absolute,
        "missing",  # realpath fails: kept as given, as strace keeps it
    ]
    assert f'Requested path "include/x.h" resolved into "{absolute}"' in capsys.readouterr().err
    assert selected_paths([absolute], frozenset()) == [absolute]
    assert selected_paths(["include/x.h"], frozenset({"path-resolution"})) == [
        "include/x.h",
        absolute,
    ]
    assert capsys.readouterr().err == ""
