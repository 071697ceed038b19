"""`python -m mtzsim` (and the ``mtzsim`` console script) runs the command line.

The command-line modules are imported inside :func:`main`, so that a Ctrl-C while they load
exits like any other interrupt ("interrupted", code 130) instead of printing a traceback.
"""

import sys


def main() -> None:
    """Import and run :func:`mtzsim.interfaces.cli.main`; exit 130 on an interrupt while loading."""
    try:
        from mtzsim.interfaces.cli import main as cli_main
    except KeyboardInterrupt:
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
