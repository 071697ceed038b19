"""``mtzsim cache info|clear``: the folder of stored stage results (see :mod:`mtzsim.pipeline.cache`)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import typer

cache_app = typer.Typer(
    help="The result cache: stage results (MTZ, field) stored by a hash of their inputs and the model version.",
    no_args_is_help=True,
    add_completion=False,
)

_DIR = typer.Option(None, "--dir", help="Cache folder [default: $MTZSIM_CACHE_DIR or the user cache folder].",
                    show_default=False)


def _cache(directory: Path | None):
    from mtzsim.errors import InputError
    from mtzsim.interfaces.services import user_path
    from mtzsim.pipeline.cache import ResultCache

    with user_path(directory, "--dir"):
        if directory is not None and directory.exists() and not directory.is_dir():
            raise InputError("--dir", f"{str(directory)!r} is a file; give a folder")
        cache = ResultCache(directory)
        cache.entries()  # lists the folder: a name too long fails here, not in info or clear
    return cache


@cache_app.command("info")
def info_command(
    directory: Path = _DIR,
    json_output: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Where the cache is, how many results it holds and how much disk they take."""
    from mtzsim.units import format_number

    info = _cache(directory).info()
    if json_output:
        typer.echo(json.dumps(info, indent=2))
        return
    typer.echo(f"cache folder:  {info['directory']}")
    typer.echo(f"model version: {info['model_version']}")
    typer.echo(f"results:       {info['entries']} ({format_number(info['bytes'] / 1e6, 3)} MB)")
    for stage, s in sorted(info["by_stage"].items()):
        typer.echo(f"  {stage:12s} {s['entries']:5d}  {format_number(s['bytes'] / 1e6, 3)} MB")


#: How the cache names a stored result: ``<stage>-<hex digest>.pkl`` (:meth:`ResultCache.key`).
_ENTRY = re.compile(r"[A-Za-z0-9_]+-[0-9a-f]+\.pkl")


@cache_app.command("clear")
def clear_command(directory: Path = _DIR) -> None:
    """Delete every stored result (the next run computes them again)."""
    from mtzsim.errors import InputError

    cache = _cache(directory)
    foreign = [p.name for p in cache.entries() if not _ENTRY.fullmatch(p.name)]
    if foreign:  # clear() deletes every *.pkl of the folder: not a folder of the user's own pickles
        field = "--dir" if directory is not None else "MTZSIM_CACHE_DIR"
        raise InputError(field, f"{str(cache.directory)!r} holds files that are no mtzsim results "
                                f"({', '.join(foreign[:3])}{' …' if len(foreign) > 3 else ''}); nothing deleted")
    n = cache.clear()
    typer.echo(f"removed {n} result{'s' if n != 1 else ''} from {cache.directory}")


def register(app: typer.Typer) -> None:
    """Add ``mtzsim cache`` to the app."""
    app.add_typer(cache_app, name="cache")
