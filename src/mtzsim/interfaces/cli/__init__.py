"""Command-line interface: parse, convert units, call the models, render. No physics here.

Each command lives in its own module under ``mtzsim.interfaces.cli`` and registers itself on
the typer app; this module wires them and turns :class:`~mtzsim.errors.InputError`
into one clear message and exit code 2.
"""

from __future__ import annotations

import importlib
import sys
import warnings

import typer

from mtzsim.errors import InputError, caused_by_interrupt

app = typer.Typer(
    name="mtzsim",
    help="Fractional CO2 laser treatment of atrophic acne scars, simulated end to end. "
    "Research and education tool, not a medical device.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # help texts name TOML tables like [laser]; rich markup would eat them
)

#: Command modules under mtzsim.interfaces.cli; each defines ``register(app)``.
COMMAND_MODULES = ["mtz", "calibrate", "validate", "field", "run", "runs", "demo", "cache", "heal", "outcome", "sensitivity",
                   "sweep", "plan", "compare", "serve"]


def _register_all() -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(f"mtzsim.interfaces.cli.{name}").register(app)


_register_all()


def fail(error: InputError) -> None:
    """Print one message that names the field and exit with code 2."""
    typer.echo(f"mtzsim: error: {error}", err=True)
    raise SystemExit(2)


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """A model's warning as one line, ``mtzsim: warning: ...`` (not Python's file, line and source)."""
    typer.echo(f"mtzsim: warning: {message}", err=True)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``mtzsim`` console script; exits 0, 1 (a check failed), 2 (bad input) or 130 (interrupted).

    ``argv`` defaults to ``sys.argv[1:]``.
    """
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            code = app(args=argv, prog_name="mtzsim", standalone_mode=False)
    except InputError as error:
        fail(error)
    except (KeyboardInterrupt, ImportError) as error:  # a Ctrl-C while an extension a command imports initialises
        if not caused_by_interrupt(error):  # raises ImportError from it
            raise
        code = 130
    except typer.Abort:
        typer.echo("mtzsim: aborted", err=True)
        sys.exit(1)
    except typer.TyperException as error:  # usage errors: typer's own message, exit 2
        error.show()
        sys.exit(error.exit_code)
    if code == 130:  # typer turns KeyboardInterrupt into exit code 130
        from mtzsim.interfaces.cli.run import STORED

        if STORED:  # the interrupt came after the run was stored: it is there, exit 0
            typer.echo(f"mtzsim: interrupted after run {STORED[-1]} was stored", err=True)
            sys.exit(0)
        typer.echo("mtzsim: interrupted", err=True)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
