"""The CLI's signal table (cli/signals.py) and its one mechanism."""

from __future__ import annotations

import asyncio
import os
import signal

from traced.cli.signals import attach_actions, forwarding, launch_actions


def _passed_on(actions: dict[int, object], marker: object) -> set[int]:
    return {sig for sig, action in actions.items() if action is marker}


def test_through_the_daemon_a_launch_passes_on_the_five_signals() -> None:
    def pass_on(signo: int) -> None: ...

    actions = launch_actions(pass_on, in_process=False)
    assert _passed_on(actions, pass_on) == {
        signal.SIGINT,
        signal.SIGTERM,
        signal.SIGHUP,
        signal.SIGQUIT,
        signal.SIGWINCH,
    }
    assert set(actions) == _passed_on(actions, pass_on)


def test_in_process_the_terminals_sigint_is_held_and_sigwinch_left_alone() -> None:
    def pass_on(signo: int) -> None: ...

    actions = launch_actions(pass_on, in_process=True)
    assert _passed_on(actions, pass_on) == {signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT}
    assert signal.SIGINT in actions and actions[signal.SIGINT] is not pass_on
    assert signal.SIGWINCH not in actions
    assert actions[signal.SIGINT](signal.SIGINT) is None  # held: nothing happens


def test_an_attach_detaches_on_sigint_sigterm_and_sighup() -> None:
    detached: list[int] = []
    actions = attach_actions(detached.append)
    assert set(actions) == {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}
    actions[signal.SIGTERM](signal.SIGTERM)
    assert detached == [signal.SIGTERM]  # the detach is told which, for the exit status


def test_forwarding_runs_the_action_and_restores_the_handler() -> None:
    seen: list[int] = []
    before = signal.getsignal(signal.SIGWINCH)
    with forwarding({signal.SIGWINCH: seen.append}):
        os.kill(os.getpid(), signal.SIGWINCH)
    assert seen == [signal.SIGWINCH]
    assert signal.getsignal(signal.SIGWINCH) == before


def test_with_a_loop_the_action_runs_as_a_callback_of_the_loop() -> None:
    async def main() -> list[int]:
        loop = asyncio.get_running_loop()
        seen: asyncio.Future[int] = loop.create_future()
        with forwarding({signal.SIGWINCH: seen.set_result}, loop):
            os.kill(os.getpid(), signal.SIGWINCH)
            return [await asyncio.wait_for(seen, 5)]

    assert asyncio.run(main()) == [signal.SIGWINCH]
