"""`mtzsim serve`: the planner page and its JSON API on a local web server (FastAPI + uvicorn, offline)."""

from __future__ import annotations

import errno
from typing import Optional

import typer


def _check_address(host: str, port: int) -> None:
    """Refuse a host that does not resolve and a port that cannot be bound (uvicorn would exit 1 or 3)."""
    import socket

    from mtzsim.errors import InputError

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise InputError("--host", f"cannot resolve {host!r}: {getattr(exc, 'strerror', None) or exc}") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind(address)
        except OSError as exc:
            field = "--host" if exc.errno == errno.EADDRNOTAVAIL else "--port"
            raise InputError(field, f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve_command(
        host: str = typer.Option("127.0.0.1", "--host", help="address to listen on (127.0.0.1: this machine only)"),
        port: int = typer.Option(8000, "--port", help="TCP port"),
        workers: Optional[int] = typer.Option(None, "--workers", help="simulations at once (default: the cores)"),
        queue: Optional[int] = typer.Option(None, "--queue", help="requests waiting for a worker before 429 "
                                            "(default: twice the workers)"),
        runs_dir: str = typer.Option("runs/web", "--runs-dir", help="server-side folder of runs started from the web"),
    ) -> None:
        """Serve the planner page at http://HOST:PORT/ and the API (schema at /openapi.json). Not medical advice."""
        import uvicorn

        from mtzsim.errors import InputError
        from mtzsim.interfaces.web import create_app

        if not 0 <= port <= 65535:
            raise InputError("--port", f"must be from 0 to 65535, got {port}")
        if workers is not None and workers < 1:
            raise InputError("--workers", f"must be at least 1, got {workers}")
        if queue is not None and queue < 0:
            raise InputError("--queue", f"must not be negative, got {queue}")
        from mtzsim.interfaces.services import check_output_folder

        check_output_folder(runs_dir, field_name="--runs-dir")
        _check_address(host, port)
        typer.echo(f"mtzsim: serving the planner at http://{host}:{port}/ (Ctrl-C stops)", err=True)
        # keep-alive well past the 429's Retry-After (5 s): a client that waits and retries on its idle
        # connection must not meet the server closing it (uvicorn's default is 5 s: a race, seen as ReadError)
        uvicorn.run(create_app(workers=workers, queue=queue, runs_dir=runs_dir), host=host, port=port,
                    log_level="warning", timeout_keep_alive=30)
