"""Single microscopic treatment zone (MTZ): one microbeam's crater, coagulation, lethal and heat-shock zones.

One microbeam on an axisymmetric (r, z) grid of layered skin:

* Beer–Lambert deposition (µa = water fraction × µa of water) into the tissue below the
  current crater floor of each radial column, with the divergence of a Gaussian beam
  focused on the surface; at 1.55 µm a forward-scattering (Fermi–Eyges) beam instead;
* the enthalpy method: water boils at 100 °C with its latent heat; a cell whose enthalpy
  passes the ablation enthalpy (all water vaporised) is ejected after an ejection delay and
  becomes void, so the beam reaches the next cell — short pulses give the blow-off limit,
  long ones the steady-state limit (see :mod:`mtzsim.physics.ablation`);
* plume shielding: the ejected plume absorbs part of the beam with an optical depth that
  grows with the ablation rate, i.e. with the transmitted irradiance (τ_p = I_t / I_p, so
  I_t = I_p W(I/I_p), W the Lambert function); a fraction η of what it absorbs returns to
  the crater walls (hot vapour and ejecta trapped in the channel condense on them), which
  it heats up to 100 °C but not beyond, during and after the pulse; the rest leaves the skin;
* Pennes bioheat conduction with layers and perfusion, explicit while the laser fires,
  implicit (locally one-dimensional backward Euler) for the long cooling;
* Arrhenius damage for named processes (collagen coagulation, fibroblast death, heat-shock
  induction) from :mod:`mtzsim.physics.damage`.
"""

from __future__ import annotations

import json
import math
import time as _time
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from importlib import resources

import numpy as np

from mtzsim.physics.heat import axisym as heat
from mtzsim._kernels import axisym as _k
from mtzsim.errors import InputError
from mtzsim.physics.laser import Beam
from mtzsim.physics.tissue import Tissue, constants, get_tissue


@dataclass(frozen=True)
class EnergyPartition:
    """Where the pulse energy went [J]. ``error`` = (in − out − stored) / in [-]."""

    delivered: float  # pulse energy reaching the skin surface
    plume_loss: float  # absorbed or scattered by the plume and carried away
    wall_heating: float  # re-deposited by the hot plume on the crater walls
    ablated: float  # enthalpy carried off with the vaporised tissue
    stored: float  # heat left in the tissue at the end of the run
    perfusion: float  # removed by blood perfusion (Pennes term)
    boundary: float  # through the domain's boundaries
    reflected: float  # Fresnel reflection at the surface
    error: float


@dataclass(frozen=True)
class ThermalResponse:
    """Temperature rise of one MTZ, tabulated for superposition in a treatment field.

    ``rise[i, j, k]`` is T − T_body [K] at time ``t[i]`` (from the start of the first
    pulse), radius ``r[j]`` and depth ``z[k]`` (cell centres, [m], z = 0 at the skin
    surface, positive into the skin). ``void[j, k]`` marks ablated cells (crater).
    ``residual_heat[j, k]`` is the heat per volume left in the tissue at the end of the
    last pulse [J/m³], with ``t_end_pulse`` [s]; ``heat_content`` [J] is its integral plus the
    heat the condensing plume gives the walls after the pulse (what the tissue receives).
    """

    t: np.ndarray
    r: np.ndarray
    z: np.ndarray
    rise: np.ndarray
    void: np.ndarray
    residual_heat: np.ndarray
    t_end_pulse: float
    heat_content: float
    diffusivity: float  # representative thermal diffusivity of the dermis [m²/s]
    volumetric_heat_capacity: float  # ρc of the dermis [J/(m³ K)]


@dataclass(frozen=True)
class MTZResult:
    """Geometry, zones, temperatures and energy of one MTZ (all SI).

    Depths are from the skin surface; radii from the beam axis. The histology
    correction (Marqa & Mordon 2014) is *not* applied to these model values;
    ``histology()`` returns them shrunk as a fixed biopsy would show them.
    """

    beam: Beam
    ablation_depth: float  # [m] deepest ablated point
    ablation_diameter: float  # [m] crater diameter at the surface
    coagulation_depth: float  # [m] deepest Ω_collagen ≥ 1 below the surface
    coagulation_thickness: float  # [m] mean lateral thickness of the coagulated wall (middle half of the crater)
    lethal_depth: float  # [m] deepest Ω_cell ≥ 1
    lethal_radius: float  # [m] widest Ω_cell ≥ 1
    heat_shock_depth: float  # [m]
    heat_shock_radius: float  # [m] widest heat-shock induction Ω_hsp ≥ 1
    peak_temperature: float  # [K] highest temperature in remaining tissue
    pulse_duration: float  # [s]
    energy: EnergyPartition
    dataset: object = field(repr=False)  # xarray.Dataset of the fields
    response: ThermalResponse | None = field(default=None, repr=False)

    def to_dict(self) -> dict:
        """Plain JSON-able summary in user units (µm, °C, mJ)."""
        b = self.beam
        return {
            "laser": b.laser,
            "energy_mj": b.energy * 1e3,
            "spot_um": b.spot_diameter * 1e6,
            "pulse_duration_s": self.pulse_duration,
            "stack": b.stack,
            "ablation_depth_um": self.ablation_depth * 1e6,
            "ablation_diameter_um": self.ablation_diameter * 1e6,
            "coagulation_depth_um": self.coagulation_depth * 1e6,
            "coagulation_thickness_um": self.coagulation_thickness * 1e6,
            "lethal_depth_um": self.lethal_depth * 1e6,
            "lethal_radius_um": self.lethal_radius * 1e6,
            "heat_shock_depth_um": self.heat_shock_depth * 1e6,
            "heat_shock_radius_um": self.heat_shock_radius * 1e6,
            "peak_temperature_c": self.peak_temperature - 273.15,
            "energy_balance_error": self.energy.error,
            "energy_partition_mj": {k: v * 1e3 for k, v in asdict(self.energy).items() if k != "error"},
        }



#: Damage processes integrated in every MTZ, in this order (keys of damage.ARRHENIUS).
PROCESSES = ("collagen_birefringence", "skin_necrosis", "fibroblast_death", "hsp70_induction")


@dataclass(frozen=True)
class LossModel:
    """Losses of deep ablation channels (the calibrated part of the model).

    Parameters
    ----------
    plume_irradiance : float
        I_p [W/m²]: irradiance scale of plume shielding. Transmitted irradiance
        I_t = I_p W(I/I_p); I_p → ∞ switches shielding off.
    wall_fraction : float
        η [-]: fraction of the plume-absorbed energy available to the crater walls (hot
        vapour and ejecta trapped in the channel, condensing on its walls). It heats the
        walls up to 100 °C and no further — so it coagulates but cannot ablate.
    condensation_time : float
        τ_c [s]: how long after the pulse the channel still holds condensing vapour; the
        walls are held at 100 °C until then (or until the available energy is spent), and
        what is left escapes with the plume.
    ejection_delay : float
        [s]: time from a cell reaching the ablation enthalpy to its removal. Assumption:
        0 for the ms pulses of fractional CO2 (ejection takes ~µs, ≪ the pulse); set it
        longer than the pulse for thermally confined (blow-off) pulses.
    ablation_temperature : float
        [K]: temperature the dried tissue matrix reaches before it is ejected
        (373.15 K: ejected as soon as its water has boiled off).
    source : str
        Where the numbers come from (calibration record or assumption).
    """

    plume_irradiance: float = math.inf
    wall_fraction: float = 0.0
    condensation_time: float = math.inf
    ejection_delay: float = 0.0
    ablation_temperature: float = 373.15
    source: str = "uncalibrated"


@lru_cache(maxsize=1)
def calibration_record() -> dict:
    """The fitted loss-model parameters with their uncertainty (data/mtz_calibration.json)."""
    try:
        text = resources.files("mtzsim.params.data").joinpath("mtz_calibration.json").read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    return json.loads(text)


def default_loss_model() -> LossModel:
    """The calibrated loss model (``mtzsim calibrate`` writes it), or no losses if none yet."""
    rec = calibration_record()
    if not rec:
        return LossModel(source="uncalibrated: no data/mtz_calibration.json")
    p = rec["parameters"]
    return LossModel(
        plume_irradiance=p["plume_irradiance_w_per_m2"]["value"],
        wall_fraction=rec["fixed"].get("wall_fraction", p.get("wall_fraction", {}).get("value", 1.0)),
        condensation_time=p["condensation_time_s"]["value"] if "condensation_time_s" in p else math.inf,
        ejection_delay=rec["fixed"]["ejection_delay_s"],
        source=f"fitted by `mtzsim calibrate` to mtz_co2_calibration.csv, with intact epidermal islands "
        f"required at Yuan 2014's 20 mJ / 10 % ({rec.get('date', '')}); data/mtz_calibration.json",
    )


@dataclass(frozen=True)
class Numerics:
    """Grid and time-stepping options (SI)."""

    cell: float = 5e-6  # grid spacing h [m]
    radial_margin: float = 1.0e-3  # tissue beyond the beam radius [m]
    depth: float | None = None  # domain depth [m]; default from the fluence
    cooling_time: float = 3.0  # longest simulated time after the pulse [s]
    settle_omega: float = 1e-3  # stop cooling once no Ω can grow by more than this [-]
    heat_step: float = 0.2  # max fraction of the ablation enthalpy deposited per step
    dt_growth: float = 1.15  # growth of the implicit cooling step
    dt_cool_max: float = 0.05  # longest cooling step [s]
    dt_wall_max: float = 0.005  # longest step while the walls are held at 100 °C [s]
    response_stride: int = 2  # subsampling of the tabulated response
    response_times: int = 36


#: Er:glass 1.55 µm scattering of dermis. Assumption: no scattering coefficients at 1.55 µm
#: in ../shared/data; µs' = 1000 1/m (10 1/cm) and g = 0.9 are of the order used in skin
#: optics models in the near infrared. Only the 1.55 µm beam uses them.
ERGLASS_REDUCED_SCATTERING = 1000.0


def _scattering_source(grid, props, beam: Beam) -> np.ndarray:
    """Deposition [W/m³ per W] of a forward-scattering beam (Fermi–Eyges small-angle spread).

    The 1/e² radius grows as w(z)² = w0² + (8/3) µs' z³ (lateral variance (2/3) µs' z³
    per axis of a pencil beam with mean square angle 2(1−g) per scattering event);
    photons are lost to absorption only: P(z) = P exp(−∫µa dz).
    """
    r = grid.r[:, None]
    z_edges = np.arange(grid.nz + 1) * grid.h
    mua = props.mua[0]
    optical = np.concatenate([[0.0], np.cumsum(mua * grid.h)])
    absorbed = np.exp(-optical[:-1]) - np.exp(-optical[1:])  # fraction absorbed in each layer of cells
    zc = grid.z[None, :]
    w2 = beam.radius**2 + (8.0 / 3.0) * ERGLASS_REDUCED_SCATTERING * zc**3
    lateral = 2.0 / (np.pi * w2) * np.exp(-2.0 * r**2 / w2)  # [1/m²], integrates to 1
    return lateral * absorbed[None, :] / grid.h


def _domain(beam: Beam, tissue: Tissue, numerics: Numerics) -> heat.AxisymmetricGrid:
    h = numerics.cell
    radius = beam.radius + numerics.radial_margin
    if numerics.depth is not None:
        depth = numerics.depth
    else:
        # deep enough for the steady-state crater with no losses, plus heat-affected tissue,
        # capped at 2.5 mm (deeper than any fractional CO2 channel reported)
        mua = tissue.dermis.absorption(beam.laser)
        e_per_area = beam.peak_fluence * beam.stack
        depth = min(2.5e-3, max(0.6e-3, 0.7 * e_per_area / tissue.dermis.ablation_enthalpy() + 0.6e-3 + 5.0 / mua))
    return heat.AxisymmetricGrid(nr=int(math.ceil(radius / h)), nz=int(math.ceil(depth / h)), h=h)


def _probes(grid, beam):
    """Probe cells: on the axis at 50, 150, 300, 600 µm depth and at 2 w0 and 4 w0 from the axis at 100 µm."""
    pts = [(0.0, 50e-6), (0.0, 150e-6), (0.0, 300e-6), (0.0, 600e-6), (2 * beam.radius, 100e-6), (4 * beam.radius, 100e-6)]
    out = []
    for rr, zz in pts:
        j = min(grid.nr - 1, int(rr / grid.h))
        k = min(grid.nz - 1, int(zz / grid.h))
        out.append((rr, zz, j, k))
    return out


def simulate_mtz(
    beam: Beam,
    *,
    tissue="face",
    losses: LossModel | None = None,
    numerics: Numerics | None = None,
    coagulation_process: str = "collagen_birefringence",
) -> MTZResult:
    """Simulate one microbeam in skin: crater, damage zones, temperatures, energy partition.

    Parameters
    ----------
    beam : Beam
        The microbeam (SI); see :func:`mtzsim.physics.laser.make_beam`.
    tissue : str or Tissue
        Named tissue (``"face"``) or a :class:`~mtzsim.physics.tissue.Tissue`.
    losses : LossModel, optional
        Plume shielding and wall heating; default the calibrated model.
    numerics : Numerics, optional
        Grid spacing and time stepping.
    coagulation_process : str
        Arrhenius set whose Ω ≥ 1 defines "coagulated" (default collagen birefringence
        loss, Maitland & Walsh 1997).

    Returns
    -------
    MTZResult
    """
    from mtzsim.physics import damage

    tissue = get_tissue(tissue)
    losses = default_loss_model() if losses is None else losses
    numerics = Numerics() if numerics is None else numerics
    c = constants()
    t_body = tissue.body_temperature
    t_boil = c["water_boiling_point"]
    grid = _domain(beam, tissue, numerics)
    props = heat.tissue_properties(grid, tissue, beam.laser, dry_specific_heat=c["dry_matrix_specific_heat"])
    Gr, Gz = heat.conductances(grid, props.k)
    vol = grid.volume
    rc = props.rc
    H1 = rc * (t_boil - t_body)
    H2 = H1 + props.rho_water * c["water_latent_heat"]
    Habl = H2 + props.rc_dry * max(0.0, losses.ablation_temperature - t_boil)
    keys = (coagulation_process,) + tuple(p for p in PROCESSES if p != coagulation_process)
    keys = tuple(dict.fromkeys(keys))
    procs = [damage.ARRHENIUS[k] for k in keys]
    A = np.array([p.A for p in procs])
    Ea = np.array([p.Ea for p in procs])
    total_time = beam.total_duration + numerics.cooling_time
    t_cut = heat.arrhenius_cutoff(A, Ea, total_time, tolerance=1e-6)

    H = np.zeros((grid.nr, grid.nz))
    void = np.zeros((grid.nr, grid.nz), dtype=np.bool_)
    Omega = np.zeros((len(keys), grid.nr, grid.nz))
    Tmax = np.full((grid.nr, grid.nz), t_body)
    dt_stab = 0.9 * heat.stable_dt(grid, rc, Gr, Gz)
    probes = _probes(grid, beam)
    pj = np.array([p[2] for p in probes], dtype=np.int64)
    pk = np.array([p[3] for p in probes], dtype=np.int64)
    n_probe_max = 4000
    probe_t = np.zeros(n_probe_max)
    probe_T = np.zeros((n_probe_max, len(probes)))
    q_static = _scattering_source(grid, props, beam) if beam.laser == "erglass" else np.zeros((0, 0))
    clock = _time.perf_counter()
    tally, nsteps, nprobe = _k.pulse_phase(
        H, void, Omega, Tmax,
        H1, H2, Habl, rc, props.rc_dry, props.mua, props.perf, vol, Gr, Gz, grid.r, grid.h,
        t_body, t_boil, np.array(beam.pulse_starts()), beam.pulse_duration, beam.total_duration,
        beam.peak_power, beam.radius, beam.rayleigh_range, beam.profile == "gaussian",
        losses.plume_irradiance if math.isfinite(losses.plume_irradiance) else 0.0,
        losses.wall_fraction, losses.ejection_delay, A, Ea, t_cut, dt_stab, numerics.heat_step,
        pj, pk, 1, probe_t, probe_T, q_static, dt_stab * float(np.min(props.rc_dry / rc)),
    )
    delivered, plume_escaped, wall, transmitted, ablated, boundary, perfusion, reservoir = (float(x) for x in tally)
    pulse_seconds = _time.perf_counter() - clock

    # End of the pulse: vapour formed in cells that were not ejected leaves as steam
    # (desiccation); the dry matrix keeps its sensible heat.
    latent = np.clip(H - H1, 0.0, None)
    steam = np.minimum(latent, H2 - H1)
    steam[void] = 0.0
    vaporised = float(np.sum(steam * vol))
    H = np.where(void, 0.0, H - steam)
    T = np.where(void, t_body, t_body + H / rc)
    stored_end_pulse = float(np.sum(H * vol))
    residual_heat = H.copy()

    # Cooling: implicit steps of growing length, Arrhenius by the trapezoid rule.
    cap = rc * vol
    wall_end_pulse = wall
    fixed = np.zeros_like(void)
    no_fixed = np.zeros_like(void)
    rate_old = np.empty_like(Omega)
    rate_new = np.empty_like(Omega)
    _k.arrhenius_rates(T, void, A, Ea, t_cut, rate_old)
    t = beam.total_duration
    t_stop = beam.total_duration + numerics.cooling_time
    dt = dt_stab
    stride = numerics.response_stride
    resp_times = [t]
    resp_fields = [(T - t_body)[::stride, ::stride].astype(np.float32)]
    next_resp = t * 1.25 + 1e-4
    probe_t_list = list(probe_t[:nprobe])
    probe_T_list = list(probe_T[:nprobe])
    while t < t_stop - 1e-12:
        dt = min(dt, t_stop - t)
        if reservoir > 0.0 and t >= beam.total_duration + losses.condensation_time:
            plume_escaped += reservoir  # the vapour has left the channel
            reservoir = 0.0
        if reservoir > 0.0:
            # condensing plume holds the crater wall at 100 °C while its heat lasts; the
            # heat it gives is what the tissue gains during the step (the last step may
            # overdraw by a little: that comes out of the escaping plume, so η is exact to it)
            _k.wall_cells(void, fixed)
            e0 = float(np.sum(np.where(void, 0.0, cap * (T - t_body))))
            T[fixed] = np.maximum(T[fixed], t_boil)
            lb, lp = heat.implicit_step(T, void, Gr, Gz, cap, props.perf, t_body, dt, fixed)
            given = float(np.sum(np.where(void, 0.0, cap * (T - t_body)))) - e0 + lb + lp
            reservoir -= given
            wall += given
        else:
            lb, lp = heat.implicit_step(T, void, Gr, Gz, cap, props.perf, t_body, dt, no_fixed)
        boundary += lb
        perfusion += lp
        _k.arrhenius_rates(T, void, A, Ea, t_cut, rate_new)
        Omega += (0.5 * dt) * (rate_old + rate_new)  # trapezoid rule on the rates
        rate_old, rate_new = rate_new, rate_old
        np.maximum(Tmax, np.where(void, t_body, T), out=Tmax)
        t += dt
        nsteps += 1
        probe_t_list.append(t)
        probe_T_list.append(T[pj, pk].copy())
        if t >= next_resp or t >= t_stop - 1e-12:
            resp_times.append(t)
            resp_fields.append((T - t_body)[::stride, ::stride].astype(np.float32))
            next_resp = t * 1.25
        if reservoir <= 0.0:
            # settled: even at the hottest cell's temperature for the rest of the run, no
            # process could add more than settle_omega to any Ω
            t_hot = float(np.max(np.where(void, t_body, T)))
            if np.max(A * np.exp(-Ea / (heat.R_GAS * t_hot))) * (t_stop - t) < numerics.settle_omega:
                break
        # while the condensing plume holds the walls at 100 °C the temperature is steep there:
        # short steps; afterwards the field is smooth and long steps are accurate
        dt = min(dt * numerics.dt_growth, numerics.dt_wall_max if reservoir > 0.0 else numerics.dt_cool_max)

    stored = float(np.sum(np.where(void, 0.0, cap * (T - t_body))))
    e_beam = beam.energy * beam.stack
    into_tissue = delivered + wall
    out = ablated + vaporised + stored + perfusion + boundary + transmitted
    error = (into_tissue - out) / e_beam
    plume_escaped += reservoir  # what the walls never took leaves with the plume
    reservoir = 0.0
    not_intercepted = e_beam - delivered - wall - plume_escaped
    energy = EnergyPartition(
        delivered=delivered,
        plume_loss=plume_escaped,
        wall_heating=wall,
        ablated=ablated + vaporised,
        stored=stored,
        perfusion=perfusion,
        boundary=boundary + transmitted + not_intercepted,
        reflected=0.0,
        error=float(error),
    )
    geometry = _geometry(grid, void, Omega, keys)
    peak = float(np.max(np.where(void, 0.0, Tmax)))
    import xarray as xr

    ds = xr.Dataset(
        {
            "ablated": (("r", "z"), void),
            "peak_temperature": (("r", "z"), np.where(void, np.nan, Tmax)),
            "residual_heat": (("r", "z"), residual_heat),
            **{f"omega_{k}": (("r", "z"), Omega[i]) for i, k in enumerate(keys)},
            "zone": (("r", "z"), _zones(void, Omega, keys)),
            "probe_temperature": (("time", "probe"), np.array(probe_T_list)),
        },
        coords={
            "r": ("r", grid.r, {"units": "m", "long_name": "radius"}),
            "z": ("z", grid.z, {"units": "m", "long_name": "depth below the skin surface"}),
            "time": ("time", np.array(probe_t_list), {"units": "s"}),
            "probe": ("probe", [f"r={p[0]*1e6:.0f}um,z={p[1]*1e6:.0f}um" for p in probes]),
        },
        attrs={
            "laser": beam.laser,
            "energy_J": beam.energy,
            "spot_diameter_m": beam.spot_diameter,
            "pulse_duration_s": beam.pulse_duration,
            "stack": beam.stack,
            "cell_m": grid.h,
            "steps": nsteps,
            "pulse_phase_s": pulse_seconds,
            "coagulation_process": coagulation_process,
            "loss_model": json.dumps(asdict(losses), default=str),
            "zones": "0 untouched, 1 heat shock, 2 lethal, 3 coagulated, 4 ablated",
        },
    )
    ds["peak_temperature"].attrs["units"] = "K"
    dermis = tissue.dermis
    response = ThermalResponse(
        t=np.array(resp_times),
        r=grid.r[::stride],
        z=grid.z[::stride],
        rise=np.stack(resp_fields),
        void=void[::stride, ::stride].copy(),
        residual_heat=residual_heat,
        t_end_pulse=beam.total_duration,
        heat_content=stored_end_pulse + (wall - wall_end_pulse),
        diffusivity=dermis.diffusivity,
        volumetric_heat_capacity=dermis.heat_capacity,
    )
    return MTZResult(
        beam=beam,
        pulse_duration=beam.pulse_duration,
        peak_temperature=peak,
        energy=energy,
        dataset=ds,
        response=response,
        **geometry,
    )


def _zones(void, Omega, keys):
    from mtzsim.physics import damage

    zp = damage.ZONE_PROCESSES
    return damage.classify_zones(
        void, Omega[0], Omega[keys.index(zp["cell"])], Omega[keys.index(zp["hsp"])]
    )


def _deepest(mask, h: float) -> float:
    """Depth [m] of the bottom face of the deepest cell set in ``mask`` (r, z); 0 if none."""
    ks = np.nonzero(np.any(mask, axis=0))[0]
    return float((ks.max() + 1) * h) if ks.size else 0.0


def _widest(mask, h: float) -> float:
    """Radius [m] of the outer face of the outermost cell set in ``mask`` (r, z); 0 if none."""
    js = np.nonzero(np.any(mask, axis=1))[0]
    return float((js.max() + 1) * h) if js.size else 0.0


def _geometry(grid, void, Omega, keys) -> dict:
    """Crater and zone dimensions from the void mask and the Ω maps."""
    h = grid.h
    floor = np.argmin(void, axis=1)  # first solid cell of each column
    floor[np.all(void, axis=1)] = grid.nz
    ablation_depth = float(np.max(floor) * h)
    ablation_diameter = 2.0 * h * float(np.sum(void[:, 0]))
    solid = ~void

    def deepest(mask):
        return _deepest(mask & solid, h)

    def widest(mask):
        return _widest(mask & solid, h)

    coag = Omega[0] >= 1.0
    coag_depth = max(deepest(coag), ablation_depth)
    if ablation_depth > 0:
        # mean radial thickness of the coagulated wall over the middle half of the crater
        k0, k1 = int(0.25 * ablation_depth / h), max(int(0.75 * ablation_depth / h), int(0.25 * ablation_depth / h) + 1)
        thickness = float(np.mean(np.sum(coag[:, k0:k1] & solid[:, k0:k1], axis=0))) * h
    else:
        thickness = widest(coag)
    from mtzsim.physics.damage import ZONE_PROCESSES as zp

    lethal = Omega[keys.index(zp["cell"])] >= 1.0
    hsp = Omega[keys.index(zp["hsp"])] >= 1.0
    return {
        "ablation_depth": ablation_depth,
        "ablation_diameter": ablation_diameter,
        "coagulation_depth": coag_depth,
        "coagulation_thickness": thickness,
        "lethal_depth": max(deepest(lethal), coag_depth),
        "lethal_radius": widest(lethal | coag | void),
        "heat_shock_depth": max(deepest(hsp), deepest(lethal), coag_depth),
        "heat_shock_radius": widest(hsp | lethal | coag | void),
    }


#: Marqa & Mordon 2014: simulated MTZs were 21 ± 2 % deeper and 12 ± 2 % wider than
#: histology of the same settings (processing shrinkage); data/mtz_co2_calibration.csv.
HISTOLOGY_DEPTH_SHRINK = 1.21
HISTOLOGY_WIDTH_SHRINK = 1.12


#: Arrhenius set whose Ω ≥ 1 edge is compared with the "total coagulative effect" of H&E
#: histology. `mtzsim calibrate` tests three candidates (collagen birefringence loss,
#: Henriques' transepidermal necrosis, fibroblast death) against the data and records the
#: best in data/mtz_calibration.json. Coagulative necrosis in H&E marks dead cells in a
#: preserved matrix; collagen birefringence loss needs polarised light to be seen.
HISTOLOGY_EDGE_PROCESS = calibration_record().get("histology_edge_process", "skin_necrosis")


def damage_extent(result: MTZResult, process: str) -> tuple[float, float]:
    """Deepest point [m] and widest full width [m] of crater ∪ {Ω_process ≥ 1}."""
    ds = result.dataset
    h = float(ds.attrs["cell_m"])
    void = ds["ablated"].values
    mask = (ds[f"omega_{process}"].values >= 1.0) | void
    return _deepest(mask, h), 2.0 * _widest(mask, h)


def histology_view(result: MTZResult) -> dict:
    """Depths and widths as a fixed H&E biopsy would show them [m].

    Model lengths are divided by 1.21 (depth) and 1.12 (width); the lesion ("total
    coagulative effect") edge is Ω ≥ 1 of :data:`HISTOLOGY_EDGE_PROCESS`.
    """
    depth, width = damage_extent(result, HISTOLOGY_EDGE_PROCESS)
    return {
        "ablation_depth": result.ablation_depth / HISTOLOGY_DEPTH_SHRINK,
        "coagulation_depth": depth / HISTOLOGY_DEPTH_SHRINK,
        "ablation_diameter": result.ablation_diameter / HISTOLOGY_WIDTH_SHRINK,
        "lesion_width": width / HISTOLOGY_WIDTH_SHRINK,
    }
