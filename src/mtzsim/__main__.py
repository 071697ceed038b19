"""`python -m mtzsim` (and the ``mtzsim`` console script) runs the command line.

The command-line modules are imported inside :func:`main`, so that a Ctrl-C while they load
exits like any other interrupt ("interrupted", code 130) instead of printing a traceback.
"""

import sys

from mtzsim.errors import caused_by_interrupt


def _quiet_interrupts(unraisable) -> None:
    """``sys.unraisablehook`` of the command line: drop a Ctrl-C that Python cannot raise.

    A SIGINT that lands while Python runs a callback it cannot raise from (a weakref callback or a
    ``__del__`` during garbage collection, often while the interpreter shuts down) goes to the
    unraisable hook, whose default prints "Exception ignored in ..." with a traceback. The interrupt is
    the user's: where it can be raised the command reports it ("interrupted", exit 130), and where it
    cannot, the command goes on as if it came a moment later. Any other unraisable exception is
    printed by Python's default hook.
    """
    if issubclass(unraisable.exc_type, KeyboardInterrupt):
        return
    sys.__unraisablehook__(unraisable)


def main() -> None:
    """Import and run :func:`mtzsim.interfaces.cli.main`; exit 130 on an interrupt while loading."""
    sys.unraisablehook = _quiet_interrupts
    try:
        from mtzsim.interfaces.cli import main as cli_main
    except (KeyboardInterrupt, ImportError) as error:  # an extension interrupted while it loads: ImportError
        if not caused_by_interrupt(error):
            raise
        sys.stderr.write("mtzsim: interrupted\n")
        sys.exit(130)
    try:
        cli_main()
    except SystemExit:
        from mtzsim.interfaces.cli.run import STORED

        if STORED:  # a run is stored: a Ctrl-C while the interpreter shuts down must not turn exit 0 into 130
            import signal

            signal.signal(signal.SIGINT, signal.SIG_IGN)
        raise


if __name__ == "__main__":
    main()
