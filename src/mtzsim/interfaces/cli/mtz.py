"""`mtzsim mtz`: one microbeam in skin."""

from __future__ import annotations

import json
from typing import Optional

import typer


def register(app: typer.Typer) -> None:
    @app.command("mtz")
    def mtz_command(
        laser: str = typer.Option("co2", help="co2 | eryag | erglass"),
        energy: Optional[str] = typer.Option(None, help="pulse energy per microbeam, e.g. 80mJ"),
        fluence: Optional[str] = typer.Option(None, help="mean fluence E/(π w0²) instead of energy, e.g. 10J/cm2"),
        spot: str = typer.Option("120um", help="1/e² spot diameter, e.g. 120um"),
        pulse: Optional[str] = typer.Option(None, help="pulse duration, e.g. 2.7ms"),
        peak_power: Optional[str] = typer.Option(None, "--peak-power", help="peak power, e.g. 30W (duration = E/P)"),
        stack: int = typer.Option(1, help="pulses stacked on the same spot"),
        stack_delay: str = typer.Option("1ms", "--stack-delay", help="delay between stacked pulses"),
        profile: str = typer.Option("gaussian", help="gaussian | tophat"),
        cell: Optional[str] = typer.Option(None, help="grid spacing of the solver (default: 5um; 10um for the "
                                           "scattering 1.55 µm beam)"),
        cooling: str = typer.Option("none", help="coolant on the skin surface: none | contact (sapphire window, h "
                                    "fitted to Anvari 1998) | air (cold-air stream)"),
        coolant_temperature: Optional[str] = typer.Option(
            None, "--coolant-temperature", help="coolant temperature, e.g. 5degC (contact default 9degC; air: required)"),
        precool: str = typer.Option("1s", help="time the coolant is on the skin before the pulse"),
        as_json: bool = typer.Option(False, "--json", help="print one JSON object"),
        figure: Optional[str] = typer.Option(None, help="write the cross-section to this PNG"),
    ) -> None:
        """Simulate one microbeam: crater, coagulation, lethal and heat-shock zones, energy balance."""
        import warnings

        from rich.console import Console

        from mtzsim.errors import InputError
        from mtzsim.params import presets
        from mtzsim.physics.laser import WAVELENGTHS, make_beam
        from mtzsim.units import format_number, parse_quantity

        err = Console(stderr=True)

        if laser not in WAVELENGTHS:
            raise InputError("--laser", f"unknown laser {laser!r}; choose one of {', '.join(WAVELENGTHS)}")
        if energy is None and fluence is None:
            energy = "80mJ"
        if energy is not None and fluence is not None:
            raise InputError("--energy", "give --energy or --fluence, not both")
        if pulse is not None and peak_power is not None:
            raise InputError("--pulse", "give --pulse or --peak-power, not both")

        def positive(text, kind, field):
            value = parse_quantity(text, kind, field)
            if not value > 0:
                raise InputError(field, f"must be positive, got {text!r}")
            return value

        e = positive(energy, "energy", "--energy") if energy is not None else None
        f = positive(fluence, "fluence", "--fluence") if fluence is not None else None
        d = presets.check_limit("laser.spot", positive(spot, "length", "--spot"), "--spot")
        if figure is not None:
            from mtzsim.interfaces.services import check_figure_path

            check_figure_path(figure)
        tau = positive(pulse, "time", "--pulse") if pulse is not None else None
        if tau is not None:
            presets.check_limit("laser.pulse", tau, "--pulse")
        p = positive(peak_power, "power", "--peak-power") if peak_power is not None else None
        if p is not None:
            presets.check_limit("laser.peak_power", p, "--peak-power")
        delay = parse_quantity(stack_delay, "time", "--stack-delay")
        if delay < 0:
            raise InputError("--stack-delay", f"must not be negative, got {stack_delay!r}")
        presets.check_limit("laser.stack_delay", delay, "--stack-delay")
        if profile not in ("gaussian", "tophat"):
            raise InputError("--profile", f"must be 'gaussian' or 'tophat', got {profile!r}")
        h = positive(cell, "length", "--cell") if cell is not None else None
        if h is not None and not 0.5e-6 <= h <= 50e-6:
            raise InputError("--cell", f"must be between 0.5um and 50um, got {cell!r}")
        if not 1 <= stack <= 20:
            raise InputError("--stack", f"must be from 1 to 20, got {stack}")
        from mtzsim.units import parse_temperature

        t_cool = parse_temperature(coolant_temperature, "--coolant-temperature") if coolant_temperature else None
        pre = parse_quantity(precool, "time", "--precool")
        # neither --pulse nor --peak-power: the regime of the device preset whose spot range holds the spot
        regime = presets.default_pulse(laser, d) if tau is None and p is None else {}
        beam = make_beam(
            laser, energy=e, fluence=f, spot_diameter=d, pulse_duration=regime.get("pulse_duration", tau),
            peak_power=regime.get("peak_power", p), profile=profile, stack=stack, stack_delay=delay,
        )
        presets.check_beam_limits(beam, "--energy" if energy is not None else "--fluence")
        if p is not None:  # the duration E/P the peak power implies
            try:
                presets.check_limit("laser.pulse", beam.pulse_duration, "--peak-power")
            except InputError as exc:
                raise InputError(exc.field, f"implies a pulse of E/P = {format_number(beam.pulse_duration)} s; "
                                            f"{exc.message}") from None
        # the engine (numba kernels, ~1 s to import) once the settings above are known to be good
        from mtzsim.physics.mtz import Numerics, simulate_mtz
        from mtzsim.physics.mtz.domain import LONGEST_PULSE
        from mtzsim.physics.mtz.surface_cooling import make_surface_cooling

        flags = {"surface_cooling.temperature": "--coolant-temperature", "surface_cooling.precool": "--precool",
                 "surface_cooling.kind": "--cooling", "surface_cooling.coefficient": "--cooling"}
        try:
            coolant = make_surface_cooling(cooling, t_cool, pre, laser)
        except InputError as exc:
            raise InputError(flags.get(exc.field, exc.field), exc.message) from None
        if h is None:
            from mtzsim.physics.mtz.source import default_numerics

            h = default_numerics(beam).cell
        # the clinical-range warnings a scenario run prints (settings of the beam only: no pattern here)
        flag = {"laser.energy": "--energy", "laser.spot": "--spot", "laser.stack": "--stack"}
        range_warnings = [w for w in presets.clinical_warnings(
            laser=laser, preset=None, energy=beam.energy, spot=d, density=float("nan"), stack=stack, passes=1)
            if w.field in flag]
        for w in range_warnings:
            err.print(f"[yellow]mtzsim: warning:[/yellow] {flag[w.field]}: {w.message}", soft_wrap=True, highlight=False)
        model_warnings: list[str] = []

        def show(message, category, filename, lineno, file=None, line=None):
            model_warnings.append(str(message))
            err.print(f"[yellow]mtzsim: warning:[/yellow] {message}", soft_wrap=True, highlight=False)

        long_pulse = beam.pulse_duration > LONGEST_PULSE
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            warnings.showwarning = show
            try:
                if long_pulse:  # minutes of explicit steps: show that it is working
                    with err.status(f"simulating a {format_number(beam.pulse_duration)} s pulse (long: minutes)…"):
                        result = simulate_mtz(beam, numerics=Numerics(cell=h), surface_cooling=coolant)
                else:
                    result = simulate_mtz(beam, numerics=Numerics(cell=h), surface_cooling=coolant)
            except ValueError as exc:  # a model-domain refusal (spot too small, damage beyond the domain)
                from mtzsim.interfaces.services import mtz_domain_field

                flags = {"numerics.mtz_cell": "--cell", "laser.spot": "--spot"}
                name = flags.get(mtz_domain_field(exc), "--energy" if energy is not None else "--fluence")
                raise InputError(name, str(exc)) from None
        if figure is not None:
            from mtzsim.report.figures_mtz import save_mtz_figure

            save_mtz_figure(result, figure)
        summary = result.to_dict()
        summary["warnings"] = [f"{flag[w.field]}: {w.message}" for w in range_warnings] + model_warnings
        if as_json:
            # the default pulse regime is a device preset's, uncertain where no measurement states it
            summary.update(interval_keys(beam, cell=h, pulse_regime=pulse is None and peak_power is None,
                                         surface_cooling=coolant, nominal=result))
            typer.echo(json.dumps(_clean(summary, format_number), indent=2))
            return
        from rich.table import Table

        table = Table(title=f"MTZ: {laser} {beam.energy*1e3:.1f} mJ, {d*1e6:.0f} µm, {beam.pulse_duration*1e3:.2f} ms")
        table.add_column("quantity")
        table.add_column("value", justify="right")
        for key, value in summary.items():
            if isinstance(value, float):
                table.add_row(key, format_number(value))
            elif not isinstance(value, (dict, list)):
                table.add_row(key, str(value))
        for key, value in summary["energy_partition_mj"].items():
            table.add_row(f"energy: {key} [mJ]", format_number(value, 3))
        Console().print(table)
        if figure is not None:
            typer.echo(f"figure written to {figure}")


#: The device preset whose pulse regime a bare ``mtzsim mtz --laser X`` run stands for where no preset's spot range
#: holds the spot (:func:`mtzsim.params.presets.device_for_spot` picks it otherwise).
REGIME_PRESET = {"co2": "deep-fractional-co2-120um", "eryag": "fractional-eryag-2940nm",
                 "erglass": "nonablative-fractional-1550nm"}


def interval_keys(beam, *, cell: float, pulse_regime: bool, surface_cooling=None, nominal=None) -> dict:
    """The ``*_interval`` keys of an MTZ summary [µm], with their notes.

    CO2: the calibration parameters' 1-sigma intervals (``*_um_interval``). ``pulse_regime``: the
    min-max over the uncertain pulse regime of the preset the laser stands for
    (``*_um_pulse_interval``; :data:`REGIME_PRESET`), for a run whose pulse the user did not set,
    with the run's ``surface_cooling``. ``nominal``: the run's MTZResult, which the calibration intervals then hold
    (:func:`mtzsim.verify.calibration.prediction_intervals`).
    """
    from mtzsim.params import presets
    from mtzsim.physics.mtz import Numerics
    from mtzsim.physics.mtz.simulate import pulse_regime_intervals
    from mtzsim.verify.calibration import prediction_intervals

    keys: dict = {}
    if beam.laser == "co2":
        for key, (lo, hi) in prediction_intervals(beam, surface_cooling=surface_cooling, nominal=nominal).items():
            keys[f"{key}_um_interval"] = [lo * 1e6, hi * 1e6]
        keys["interval_note"] = ("1-sigma calibration-parameter intervals (the fitted parameters of "
                                 "mtz_calibration.json: plume fractions near the floor and beyond, and the "
                                 "desiccated matrix's absorption ratio where fitted), their spread on a coarse 10 um "
                                 "grid" + (" moved onto this run's values" if nominal is not None else "")
                                 + "; not measurement scatter")
    device = presets.device_for_spot(beam.laser, beam.spot_diameter)
    name = device.name if device is not None else REGIME_PRESET[beam.laser]
    regime = presets.pulse_regime(name)
    if pulse_regime and regime.low < regime.high:
        span = pulse_regime_intervals(beam, regime, numerics=Numerics(cell=cell), surface_cooling=surface_cooling)
        for key, (lo, hi) in span.items():
            if key != "pulse_duration":
                keys[f"{key}_um_pulse_interval"] = [lo * 1e6, hi * 1e6]
        keys["pulse_interval_note"] = (
            f"min-max over the preset {name}'s {regime.quantity.replace('_', ' ')} range "
            f"{regime.low:g}-{regime.high:g} {'W' if regime.quantity == 'peak_power' else 's'} "
            f"({regime.assumption or regime.source})")
    return keys


def _clean(value, format_number):
    """JSON-ready copy with the float noise removed (``119.99999999999999`` → ``120``, 10 digits kept)."""
    if isinstance(value, dict):
        return {k: _clean(v, format_number) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v, format_number) for v in value]
    if isinstance(value, float) and not isinstance(value, bool):
        text = format_number(value, 10)
        return None if text == "—" else float(text)
    return value
