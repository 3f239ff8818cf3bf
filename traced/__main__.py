"""``python -m traced`` and the ``traced`` command (pyproject's [project.scripts]).

The signals traced acts on while it traces (cli/signals.py's table) are blocked
before anything else is imported: one that arrives while traced starts waits in
the kernel instead of raising KeyboardInterrupt in the middle of an import, and
traced acts on it once it knows what it is doing (cli/signals.py, ``EARLY``).

The garbage collector is off until the imports are done (cli/main.py, ``_imported``).
"""

import gc
import signal
import sys

signal.pthread_sigmask(
    signal.SIG_BLOCK, (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)
)
gc.disable()  # for the imports: cli/main.py turns it on again once they are done

from traced.cli.main import main  # noqa: E402  (after the signals are held)


def run() -> int:
    """The console script's entry: this module's import has held the signals already."""
    return main()


if __name__ == "__main__":
    sys.exit(run())
