"""Command-line interface: parse, convert units, call the models, render. No physics here.

Each command lives in its own module under ``mtzsim.interfaces.cli`` and registers itself on
the typer app; this module wires them and turns :class:`~mtzsim.errors.InputError`
into one clear message and exit code 2.
"""

from __future__ import annotations

import importlib
import sys

import typer

from mtzsim.errors import InputError

app = typer.Typer(
    name="mtzsim",
    help="Fractional CO2 laser treatment of atrophic acne scars, simulated end to end. "
    "Research and education tool, not a medical device.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

#: Command modules under mtzsim.interfaces.cli; each defines ``register(app)``.
COMMAND_MODULES = ["mtz", "calibrate", "validate", "field", "run", "runs", "demo", "outcome", "sensitivity", "plan", "compare"]


def _register_all() -> None:
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"mtzsim.interfaces.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"mtzsim.interfaces.cli.{name}":
                continue  # command not built yet
            raise
        module.register(app)


_register_all()


def fail(error: InputError) -> None:
    """Print one message that names the field and exit with code 2."""
    typer.echo(f"mtzsim: error: {error}", err=True)
    raise SystemExit(2)


def main() -> None:
    """Entry point of the ``mtzsim`` console script."""
    try:
        app()
    except InputError as error:
        fail(error)
    except KeyboardInterrupt:
        typer.echo("mtzsim: interrupted", err=True)
        sys.exit(130)


if __name__ == "__main__":
    main()
