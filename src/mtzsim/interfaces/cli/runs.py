"""``mtzsim runs list|show|diff``: the run registry from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from mtzsim.errors import InputError
from mtzsim.io.store import DEFAULT_DB

runs_app = typer.Typer(
    help="The run registry: list, show and compare stored runs.",
    no_args_is_help=True,
    add_completion=False,
)

_DB = typer.Option(Path(DEFAULT_DB), "--db", help="Run registry (SQLite file).")
_JSON = typer.Option(False, "--json", help="Machine-readable output.")


def _open(db: Path, *, must_exist: bool):
    from mtzsim.interfaces.services import open_registry, user_path

    with user_path(db, "--db"):
        exists = db.exists()
    if not exists:
        if must_exist:
            raise InputError("--db", f"no run registry at {str(db)!r}; run a scenario first (mtzsim run …)")
        return None
    return open_registry(db, field_name="--db")


@runs_app.command("list")
def list_command(
    db: Path = _DB,
    json_output: bool = _JSON,
    limit: int = typer.Option(50, "--limit", "-n", min=1, max=10**9,  # SQLite holds 64-bit integers
                              help="Show at most this many runs (newest first)."),
) -> None:
    """List stored runs, newest first."""
    store = _open(db, must_exist=False)
    runs = [] if store is None else store.list_runs(limit=limit)
    if store is not None:
        store.close()
    if json_output:
        typer.echo(json.dumps(runs, indent=2, ensure_ascii=False))
        return
    if not runs:
        typer.echo(f"No runs in {db} yet. Try: mtzsim run examples/deep_co2.toml")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Runs in {db}", title_justify="left", header_style="bold", box=None,
                  pad_edge=False)
    table.add_column("id", no_wrap=True, min_width=8)
    table.add_column("created (UTC)", no_wrap=True, min_width=16)
    table.add_column("scenario", no_wrap=True, overflow="ellipsis", max_width=26)
    table.add_column("stages", no_wrap=True, min_width=9)
    table.add_column("warn", justify="right", no_wrap=True, min_width=4)
    table.add_column("time", justify="right", no_wrap=True, min_width=6)
    for r in runs:
        table.add_row(r["id"], r["created_at"].replace("T", " ")[:16], r["name"], "→".join(r["stages"]) or "—",
                      str(r["warnings"]), f"{r['total_s']:.1f} s")
    Console(highlight=False).print(table)


@runs_app.command("show")
def show_command(
    run_id: str = typer.Argument(..., help="Run id (or a unique prefix of at least 4 characters).",
                                 show_default=False),
    db: Path = _DB,
    json_output: bool = _JSON,
) -> None:
    """Show one run: scenario, warnings, results of every stage and timings."""
    store = _open(db, must_exist=True)
    try:
        run = store.get_run(run_id)
    finally:
        store.close()
    if json_output:
        typer.echo(json.dumps(run, indent=2, ensure_ascii=False))
        return
    from rich.console import Console
    from rich.table import Table

    con = Console(highlight=False, soft_wrap=True)
    con.print(f"[bold]Run {run['id']}[/bold] — {run['name']}")
    con.print(f"  created {run['created_at']} · mtzsim {run['version']} · {run['total_s']:.1f} s")
    if run["out_dir"]:
        con.print(f"  files: {run['out_dir']}")
    if run["scenario_toml"]:
        con.print("\n[bold]Scenario[/bold]")
        con.print(run["scenario_toml"].rstrip(), markup=False)
    for w in run["warnings"]:
        con.print(f"[yellow]warning[/yellow] {w.get('field')}: {w.get('message')}")
    for stage, result in run["results"].items():
        table = Table(title=f"{stage} ({run['timings'].get(stage, 0):.2f} s)", title_justify="left",
                      header_style="bold", show_header=False)
        table.add_column("quantity")
        table.add_column("value", justify="right")
        for key, value in _flat(result).items():
            table.add_row(key, _shown(f"{stage}.{key}", value))
        con.print(table)


@runs_app.command("diff")
def diff_command(
    run_a: str = typer.Argument(..., help="First run id.", show_default=False),
    run_b: str = typer.Argument(..., help="Second run id.", show_default=False),
    db: Path = _DB,
    json_output: bool = _JSON,
) -> None:
    """Compare two runs: the settings and the results that differ."""
    store = _open(db, must_exist=True)
    try:
        diff = store.diff_runs(run_a, run_b)
    finally:
        store.close()
    if json_output:
        typer.echo(json.dumps(diff, indent=2, ensure_ascii=False))
        return
    from rich.console import Console
    from rich.table import Table

    con = Console(highlight=False, soft_wrap=True)
    con.print(f"[bold]{diff['a']}[/bold] → [bold]{diff['b']}[/bold]")
    if diff["version"]:
        con.print(f"  mtzsim version: {diff['version'][0]} → {diff['version'][1]}")
    for part in ("scenario", "results"):
        rows = diff[part]
        if not rows:
            con.print(f"  {part}: identical")
            continue
        label = "scenario" if part == "scenario" else "results"
        table = Table(title=label, title_justify="left", header_style="bold")
        table.add_column("key")
        table.add_column(diff["a"], justify="right")
        table.add_column(diff["b"], justify="right")
        table.add_column("change", justify="right")
        for row in rows:
            if "change" in row:
                change = f"{row['change'] * 100:+.1f} %"
            elif "delta" in row:
                change = f"{row['delta']:+d}" if isinstance(row["delta"], int) else f"{row['delta']:+.4g}"
            else:
                change = ""  # categories and seeds: a different value, not a relative change
            table.add_row(row["key"], row.get("a_shown", _fmt(row["a"])), row.get("b_shown", _fmt(row["b"])), change)
        con.print(table)


def _flat(d, prefix=""):
    out = {}
    for k, v in d.items():
        key = f"{prefix}.{k}" if prefix else str(k)
        if isinstance(v, dict):
            out.update(_flat(v, key))
        else:
            out[key] = v
    return out


def _shown(key: str, value) -> str:
    """A stored result value with its display unit (see :func:`mtzsim.io.store.result_unit`)."""
    from mtzsim.io.store import result_unit, shown_value

    if isinstance(value, (int, float)) and not isinstance(value, bool):
        si, shown, kind = result_unit(key)
        if kind in ("quantity", "residual") and shown:
            return shown_value(value, si, shown)
    return _fmt(value)


def _fmt(value) -> str:
    from mtzsim.units import format_number

    if isinstance(value, float):
        return format_number(value)
    if isinstance(value, list):
        return ", ".join(_fmt(v) for v in value[:6]) + (" …" if len(value) > 6 else "")
    return "—" if value is None else str(value)


def register(app: typer.Typer) -> None:
    """Add ``mtzsim runs`` to the app."""
    app.add_typer(runs_app, name="runs")
