"""Radiofrequency current between microneedle electrodes in layered skin: quasi-static potential and Joule heat.

At the device frequency (≈ 1–2 MHz) the wavelength in tissue is metres long, so the electric
potential φ [V] obeys the quasi-static current-continuity equation

    ∇·(σ ∇φ) = 0,

with the conducting parts of the needles held at their electrode potentials, insulated shafts and
the skin surface carrying no current, and σ [S/m] the tissue conductivity at the device frequency
from the Gabriel four-Cole-Cole model (:func:`gabriel_conductivity`). The Joule heat source is
q = σ|∇φ|² [W/m³], scaled so that the pin pair receives the device's energy over the conduction
time; it is then fed, unchanged, into the 3-D Pennes + Arrhenius engine of
:mod:`mtzsim.physics.heat.reference3d`.

Discretisation: cell-centred finite volumes on a uniform Cartesian grid of spacing h, arrays
indexed ``[x, y, z]`` with z the depth (index 0 at the skin surface, as in ``reference3d``). Each
interior face has the conductance G = h · 2σ₁σ₂/(σ₁+σ₂) (harmonic mean; an insulator cell has
σ = 0 and blocks its faces); a face between an electrode cell (metal, σ → ∞) and tissue has
G = 2σh and all of its dissipation G·Δφ² is deposited in the tissue cell; the outer faces carry no
current unless their cells are fixed. The symmetric positive-definite system is solved by
conjugate gradients with a Jacobi preconditioner. The discrete Joule heat then equals
Σ_electrodes φ_e I_e exactly (discrete Green identity), i.e. V·I for a bipolar pair.

Assumptions (stated, not hidden): σ is real (the displacement current ωε is left out: from
the same Gabriel parameters, ωε₀ε'/σ ≈ 0.46 in 'skin wet' and 0.08 in fat at 1 MHz, so the
admittivity contrast of dermis and fat differs from the conductivity contrast by ≈ 10 %); σ does
not change with temperature during the pulse (Chang 2003 [4] shows that a constant σ misjudges
heating near 100 °C; the model warns when tissue passes boiling, and has no vaporisation or
impedance rise); the power is constant over the conduction time; the thermal properties are
those of the reticular dermis everywhere (the 3-D engine is homogeneous), and the metal needle
is treated thermally as tissue.

References
----------
.. [1] S. Gabriel, R. W. Lau, C. Gabriel, "The dielectric properties of biological tissues: III.
   Parametric models for the dielectric spectrum of tissues", Phys Med Biol 41 (1996) 2271–2293.
   doi:10.1088/0031-9155/41/11/003
.. [2] C. Gabriel, "Compilation of the dielectric properties of body tissues at RF and microwave
   frequencies", Report AL/OE-TR-1996-0037, Brooks Air Force Base (1996).
.. [3] W. R. Smythe, Static and Dynamic Electricity, 3rd ed., McGraw-Hill (1968): resistance per
   length of two parallel cylinders, R' = arccosh(d / 2a) / (π σ).
.. [4] I. A. Chang, "Finite element analysis of hepatic radiofrequency ablation probes using
   temperature-dependent electrical conductivity", Biomed Eng Online 2 (2003) 12.
   doi:10.1186/1475-925X-2-12
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import scipy.sparse as sp

from mtzsim.constants import T_BODY, T_BOIL, ZERO_CELSIUS
from mtzsim.params import tables
from mtzsim.physics import damage
from mtzsim.physics.heat import reference3d
from mtzsim.physics.needles import (Needle, NeedleDevice, NeedlePattern, basal_depth, channel_depth,
                                   channel_radius_at, channel_volume, place_channels, wound_map)
from mtzsim.physics.tissue import Tissue, get_tissue
from mtzsim.pipeline.contract import quantity

#: Vacuum permittivity ε₀ [F/m] (CODATA 2018).
EPS0 = 8.8541878128e-12


# --------------------------------------------------------------------------
# Conductivity at the device frequency (Gabriel 1996)
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class ColeColeTissue:
    """Gabriel four-Cole-Cole parameters of one tissue (SI: τ in s, σ_i in S/m)."""

    key: str
    name: str
    layer_keys: tuple[str, ...]
    eps_inf: float
    dispersions: tuple[tuple[float, float, float], ...]  # (Δε, τ [s], α) × 4
    sigma_ionic: float
    source: str
    reliability: str
    assumption: str = ""


@lru_cache(maxsize=None)
def load_conductivities() -> dict[str, ColeColeTissue]:
    """The tissues of ``params/data/tissue_conductivity.csv``, by key."""
    out = {}
    for row in tables.rows("tissue_conductivity.csv"):
        disp = tuple((float(row[f"del{n}"]), float(row[f"tau{n}_s"]), float(row[f"alf{n}"])) for n in range(1, 5))
        out[row["key"]] = ColeColeTissue(
            key=row["key"], name=row["tissue"], layer_keys=tuple(row["layer_keys"].split(";")),
            eps_inf=float(row["ef"]), dispersions=disp, sigma_ionic=float(row["sig_s_per_m"]),
            source=row["source"], reliability=row["reliability"], assumption=row["assumption"],
        )
    return out


def gabriel_permittivity(tissue: ColeColeTissue, frequency):
    """Complex relative permittivity ε*(ω) of the four-Cole-Cole model [-].

    ε* = ε∞ + Σₙ Δεₙ / (1 + (jωτₙ)^(1−αₙ)) + σᵢ / (jωε₀)   (Gabriel 1996, eq. 3).
    """
    f = np.asarray(frequency, dtype=float)
    if np.any(f <= 0):
        raise ValueError("frequency must be > 0 Hz")
    w = 2.0 * math.pi * f
    eps = tissue.eps_inf + tissue.sigma_ionic / (1j * w * EPS0)
    for d_eps, tau, alpha in tissue.dispersions:
        eps = eps + d_eps / (1.0 + (1j * w * tau) ** (1.0 - alpha))
    return eps


def gabriel_conductivity(tissue: ColeColeTissue | str, frequency):
    """Effective conductivity σ(f) = −ω ε₀ Im ε*(ω) [S/m] (Gabriel 1996).

    Parameters
    ----------
    tissue : ColeColeTissue or str
        The tissue or its key in :func:`load_conductivities`.
    frequency : float or ndarray
        Frequency [Hz].
    """
    if isinstance(tissue, str):
        tissue = load_conductivities()[tissue]
    w = 2.0 * math.pi * np.asarray(frequency, dtype=float)
    sigma = -w * EPS0 * np.imag(gabriel_permittivity(tissue, frequency))
    return float(sigma) if np.ndim(sigma) == 0 else sigma


def layer_conductivities(tissue: Tissue, frequency: float) -> np.ndarray:
    """σ [S/m] of each layer of ``tissue`` at ``frequency`` [Hz], in layer order."""
    by_layer = {}
    for ct in load_conductivities().values():
        for key in ct.layer_keys:
            by_layer[key] = ct
    missing = [layer.key for layer in tissue.layers if layer.key not in by_layer]
    if missing:
        raise ValueError(f"no conductivity for skin layer(s) {missing}; add them to tissue_conductivity.csv")
    return np.array([gabriel_conductivity(by_layer[layer.key], frequency) for layer in tissue.layers])


# --------------------------------------------------------------------------
# Finite-volume potential solver
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class PotentialSolution:
    """Potential and currents from :func:`solve_potential` (SI)."""

    phi: np.ndarray  # [V], cell centres; NaN in insulator cells that no current reaches
    currents: dict  # electrode label -> current leaving the electrode into the tissue [A]
    joule: np.ndarray  # Joule heat per cell [W] (not per volume)
    power: float  # total Joule heat [W]
    iterations: int


def _face_conductance(sa, sb, h):
    """G = h · 2 sa sb / (sa + sb), with inf = metal (G = 2 h σ) and 0 = insulator (G = 0)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        g = 2.0 * h * sa * sb / (sa + sb)
    g = np.where(np.isinf(sa) & np.isfinite(sb), 2.0 * h * sb, g)
    g = np.where(np.isinf(sb) & np.isfinite(sa), 2.0 * h * sa, g)
    g = np.where(np.isinf(sa) & np.isinf(sb), 0.0, g)
    return np.nan_to_num(g, nan=0.0)


def solve_potential(sigma, h, fixed_values, labels=None, *, rtol=1e-10, maxiter=20000, engine="numba"):
    """Solve ∇·(σ∇φ) = 0 on a uniform Cartesian grid by finite volumes.

    Parameters
    ----------
    sigma : ndarray, shape (nx, ny, nz)
        Conductivity [S/m] of each cell; 0 marks an insulator (no current crosses its faces).
        Values in fixed cells are ignored (they are perfect conductors).
    h : float
        Cell size [m].
    fixed_values : ndarray, shape (nx, ny, nz)
        Potential [V] of the fixed cells (electrodes, Dirichlet boundary cells); NaN in free cells.
    labels : ndarray of int, optional
        Electrode label per cell (0 = none); the current leaving each label is reported.
    rtol : float, optional
        Relative residual ‖r‖/‖b‖ at which the conjugate-gradient solve stops.
    engine : str, optional
        ``"numba"`` (the fused kernel of ``_kernels/rf.py``) or ``"numpy"`` (:func:`pcg_numpy`).

    Returns
    -------
    PotentialSolution

    Raises
    ------
    ValueError
        On shape mismatch, negative conductivity or no fixed cell.
    RuntimeError
        If the conjugate-gradient solve does not converge.
    """
    sigma = np.asarray(sigma, dtype=float)
    fixed_values = np.asarray(fixed_values, dtype=float)
    if sigma.shape != fixed_values.shape or sigma.ndim != 3:
        raise ValueError("sigma and fixed_values must be 3-D arrays of one shape")
    if not (h > 0):
        raise ValueError("h must be > 0")
    fixed = np.isfinite(fixed_values)
    if not fixed.any():
        raise ValueError("at least one fixed (electrode) cell is needed")
    s = np.where(fixed, np.inf, sigma)
    if np.any(s < 0):
        raise ValueError("conductivity must be >= 0")
    labels = np.zeros(sigma.shape, dtype=np.int64) if labels is None else np.asarray(labels)

    n_cells = sigma.size
    idx = np.arange(n_cells).reshape(sigma.shape)
    faces = []  # (flat index a, flat index b, conductance)
    for axis in range(3):
        a = [slice(None)] * 3
        b = [slice(None)] * 3
        a[axis] = slice(0, -1)
        b[axis] = slice(1, None)
        g = _face_conductance(s[tuple(a)], s[tuple(b)], h)
        keep = g > 0
        faces.append((idx[tuple(a)][keep], idx[tuple(b)][keep], g[keep]))
    fa = np.concatenate([f[0] for f in faces])
    fb = np.concatenate([f[1] for f in faces])
    fg = np.concatenate([f[2] for f in faces])

    fixed_flat = fixed.ravel()
    val_flat = np.nan_to_num(fixed_values.ravel())
    connected = np.zeros(n_cells, dtype=bool)
    connected[fa] = True
    connected[fb] = True
    free = connected & ~fixed_flat
    n_free = int(free.sum())
    pos = np.full(n_cells, -1, dtype=np.int64)
    pos[free] = np.arange(n_free)

    diag = np.zeros(n_free)
    rhs = np.zeros(n_free)
    np.add.at(diag, pos[fa[free[fa]]], fg[free[fa]])
    np.add.at(diag, pos[fb[free[fb]]], fg[free[fb]])
    both = free[fa] & free[fb]
    a_to_fixed = free[fa] & fixed_flat[fb]
    b_to_fixed = free[fb] & fixed_flat[fa]
    np.add.at(rhs, pos[fa[a_to_fixed]], fg[a_to_fixed] * val_flat[fb[a_to_fixed]])
    np.add.at(rhs, pos[fb[b_to_fixed]], fg[b_to_fixed] * val_flat[fa[b_to_fixed]])
    ia, ib, gg = pos[fa[both]], pos[fb[both]], fg[both]
    A = sp.coo_matrix(
        (np.concatenate([diag, -gg, -gg]), (np.concatenate([np.arange(n_free), ia, ib]),
                                             np.concatenate([np.arange(n_free), ib, ia]))),
        shape=(n_free, n_free),
    ).tocsr()
    inv_d = 1.0 / diag
    x = inv_d * rhs
    if engine == "numba":
        iterations = _pcg()(A.indptr, A.indices, A.data, inv_d, rhs, x, rtol, maxiter)
    elif engine == "numpy":
        x, iterations = pcg_numpy(A, rhs, x, inv_d, rtol=rtol, maxiter=maxiter)
    else:
        raise ValueError(f"unknown solver engine {engine!r}; choose 'numba' or 'numpy'")
    if iterations < 0:
        raise RuntimeError(f"potential solve did not converge in {maxiter} conjugate-gradient iterations")

    phi = np.full(n_cells, np.nan)
    phi[fixed_flat] = val_flat[fixed_flat]
    phi[free] = x
    # face currents and dissipation
    dphi = phi[fa] - phi[fb]
    flow = fg * dphi  # from a to b [A]
    p_face = fg * dphi**2  # [W]
    joule = np.zeros(n_cells)
    fa_fixed, fb_fixed = fixed_flat[fa], fixed_flat[fb]
    share_a = np.where(fa_fixed, 0.0, np.where(fb_fixed, 1.0, 0.5))
    share_b = np.where(fb_fixed, 0.0, np.where(fa_fixed, 1.0, 0.5))
    np.add.at(joule, fa, p_face * share_a)
    np.add.at(joule, fb, p_face * share_b)
    lab = labels.ravel()
    currents = {}
    for label in np.unique(lab[fixed_flat]):
        if label == 0:
            continue
        out_a = (lab[fa] == label) & (lab[fb] != label)
        out_b = (lab[fb] == label) & (lab[fa] != label)
        currents[int(label)] = float(flow[out_a].sum() - flow[out_b].sum())
    return PotentialSolution(phi.reshape(sigma.shape), currents, joule.reshape(sigma.shape),
                             float(p_face.sum()), int(iterations))


@lru_cache(maxsize=1)
def _pcg():
    from mtzsim._kernels.rf import make_pcg

    return make_pcg()


def pcg_numpy(A, b, x0, inv_diag, *, rtol=1e-10, maxiter=20000):
    """Jacobi-preconditioned conjugate gradients, readable twin of ``_kernels.rf.make_pcg``.

    Saad, Iterative Methods for Sparse Linear Systems (2003), Alg. 9.1; stops when
    ‖r‖₂ ≤ rtol ‖b‖₂. Returns (x, iterations), iterations = −1 if ``maxiter`` was reached.
    """
    x = np.array(x0, dtype=float)
    bnorm2 = float(b @ b)
    if bnorm2 == 0.0:
        return np.zeros_like(x), 0
    tol2 = rtol**2 * bnorm2
    r = b - A @ x
    z = inv_diag * r
    p = z.copy()
    rz = float(r @ z)
    if float(r @ r) <= tol2:
        return x, 0
    for it in range(1, maxiter + 1):
        ap = A @ p
        alpha = rz / float(p @ ap)
        x += alpha * p
        r -= alpha * ap
        z = inv_diag * r
        rz_new = float(r @ z)
        if float(r @ r) <= tol2:
            return x, it
        p = z + (rz_new / rz) * p
        rz = rz_new
    return x, -1


# --------------------------------------------------------------------------
# Needle electrodes on the grid
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class CartesianGrid:
    """Uniform cell-centred grid: ``shape`` cells of size ``h`` [m]; x, y centred on 0, z from the surface."""

    shape: tuple[int, int, int]
    h: float

    def centres(self):
        """Cell-centre coordinates x, y, z [m] (1-D each)."""
        nx, ny, nz = self.shape
        return ((np.arange(nx) - (nx - 1) / 2) * self.h, (np.arange(ny) - (ny - 1) / 2) * self.h,
                (np.arange(nz) + 0.5) * self.h)


def needle_masks(grid: CartesianGrid, positions, needle: Needle, *, insulated_length=None):
    """Cells occupied by each needle: (conducting label array, insulated-shaft mask).

    A cell belongs to needle n when its centre lies inside the needle's solid (a cylinder of the
    needle's diameter ending in a cone or pyramid tip, inserted to the channel depth); the upper
    ``insulated_length`` [m] of the inserted needle is insulating (σ = 0), the rest conducts.
    A needle thinner than a cell still holds the cell that contains its axis at each depth.
    """
    ins = needle.insulated_length if insulated_length is None else insulated_length
    x, y, z = grid.centres()
    X, Y = np.meshgrid(x, y, indexing="ij")
    labels = np.zeros(grid.shape, dtype=np.int64)
    insulated = np.zeros(grid.shape, dtype=bool)
    depth = channel_depth(needle)
    r_z = channel_radius_at(needle, z)
    for n, (px, py) in enumerate(positions, start=1):
        if needle.tip_shape == "pyramid":
            dist = np.maximum(np.abs(X - px), np.abs(Y - py))
        else:
            dist = np.hypot(X - px, Y - py)
        ic = int(np.argmin(np.abs(x - px)))
        jc = int(np.argmin(np.abs(y - py)))
        for k in range(grid.shape[2]):
            if z[k] > depth:
                break
            inside = dist <= r_z[k]
            inside[ic, jc] = True
            if z[k] < ins:
                insulated[:, :, k][inside] = True
            else:
                labels[:, :, k][inside] = n
    return labels, insulated


# --------------------------------------------------------------------------
# The MNRF stage
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class RFSettings:
    """Device RF settings (SI): energy per pin [J] or RMS voltage [V], over the conduction time [s], at a frequency [Hz].

    Give exactly one of ``energy_per_pin`` (the device delivers this energy whatever the
    impedance) and ``voltage`` (constant RMS voltage between the poles: P = V² / R).
    """

    energy_per_pin: float | None = None
    conduction_time: float = 0.1
    frequency: float = 1.0e6
    voltage: float | None = None
    source: str = ""

    def __post_init__(self):
        if (self.energy_per_pin is None) == (self.voltage is None):
            raise ValueError("give exactly one of energy_per_pin and voltage")
        for name in ("energy_per_pin", "voltage", "conduction_time", "frequency"):
            v = getattr(self, name)
            if v is None:
                continue
            if not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
                raise ValueError(f"{name} must be a finite number > 0, got {v!r}")


@dataclass(frozen=True)
class RFNumerics:
    """Grid and time options of :func:`simulate_mnrf`."""

    h: float = 40e-6  # cell size [m]
    margin: float = 0.8e-3  # tissue around the electrodes, laterally and below the tips [m]
    cooling_time: float = 0.3  # time simulated after the pulse [s]
    rtol: float = 1e-6  # conjugate-gradient tolerance (power changes < 1e-9 relative from 1e-8)
    engine: str = "numba"  # "numba" (make_stepper_3d) or "numpy" (pennes_arrhenius_step_numpy)

    def __post_init__(self):
        for name in ("h", "margin", "rtol"):
            v = getattr(self, name)
            if not (math.isfinite(v) and v > 0):
                raise ValueError(f"{name} must be a finite number > 0, got {v!r}")
        if not (math.isfinite(self.cooling_time) and self.cooling_time >= 0):
            raise ValueError(f"cooling_time must be >= 0, got {self.cooling_time!r}")
        if self.engine not in ("numba", "numpy"):
            raise ValueError(f"engine must be 'numba' or 'numpy', got {self.engine!r}")


@dataclass(frozen=True)
class MNRFResult:
    """Coagulation around bipolar microneedle RF electrodes (one pin pair or array)."""

    coag_depth_max: float = quantity("m", "deepest collagen coagulation (Ω ≥ 1) below the surface",
                                     source="Maitland1997 collagen kinetics", display="um")
    coag_depth_min: float = quantity("m", "shallowest collagen coagulation below the surface (epidermal sparing)",
                                     display="um")
    coag_width: float = quantity("m", "widest extent of one pin's coagulation zone, across the pair axis",
                                 display="um")
    coag_volume_per_pin: float = quantity("m3", "coagulated (Ω ≥ 1) tissue volume per pin", display="mm3")
    epidermis_peak_temperature: float = quantity("K", "highest temperature reached in the epidermis", display="degC")
    peak_temperature: float = quantity("K", "highest temperature reached anywhere", display="degC")
    energy_delivered: float = quantity("J", "Joule heat deposited in the tissue by the pins", display="mJ")
    voltage: float = quantity("V", "RMS voltage between the electrodes that delivers the energy")
    impedance: float = quantity("ohm", "tissue resistance between the electrodes (V² / P)")
    current_balance: float = quantity("1", "|ΣI| / max|I| over the electrodes: current conservation, 0 ideal")
    n_pins: int = quantity("1", "pins in the simulated array", kind="count")
    insulated: bool = quantity("", "needle shafts insulated (only the tip conducts)", kind="flag")
    coag_map: np.ndarray = quantity("1", "collagen Ω ≥ 1 on the grid [x, y, z]", kind="array")
    temperature_max_map: np.ndarray = quantity("K", "highest temperature per cell over the run", kind="array")
    joule_density: np.ndarray = quantity("W/m3", "Joule heat source q = σ|∇φ|² during the pulse", kind="array")
    grid_h: float = quantity("m", "cell size of the grid", display="um")
    wound_map: np.ndarray = quantity("1", "en-face basal-layer wound map (channel or coagulated basal layer)",
                                     kind="array")
    pixel_size: float = quantity("m", "pixel size of the wound map", display="um")
    wounded_fraction: float = quantity("1", "wounded fraction of the wound map's area", display="%")
    basal_footprint_radius: float = quantity("m", "radius of one pin's basal-layer wound (channel or coagulated)",
                                             display="um")
    basal_coag_radius: float = quantity("m", "radius of one pin's thermally coagulated (Ω ≥ 1) basal layer, "
                                        "equal-area disk; 0 when the epidermis is spared", display="um")
    coag_volume_per_area: float = quantity("m", "coagulated volume per skin area: per pin × pins per area × passes",
                                           display="um")
    channel_volume_per_area: float = quantity("m", "needle-channel volume per skin area (m³/m²)", display="um")
    positions: tuple = quantity("m", "pin positions (x, y) on the grid", kind="table", default=(), display="um")


def settings_from_device(device: NeedleDevice) -> RFSettings:
    """The RF settings of an MNRF device preset."""
    if device.modality != "mnrf":
        raise ValueError(f"{device.key} is not an MNRF device")
    return RFSettings(device.energy_per_pin, device.conduction_time, device.frequency, source=device.source)


def bipolar_pair(pitch: float):
    """Positions [m] and polarities of two pins ``pitch`` apart on the x axis."""
    return ((-0.5 * pitch, 0.0), (0.5 * pitch, 0.0)), (+1, -1)


def bipolar_array(rows: int, cols: int, pitch: float):
    """Positions [m] and checkerboard polarities of a rows × cols pin array (neighbours opposite)."""
    pos, pol = [], []
    for i in range(rows):
        for j in range(cols):
            pos.append(((i - (rows - 1) / 2) * pitch, (j - (cols - 1) / 2) * pitch))
            pol.append(+1 if (i + j) % 2 == 0 else -1)
    return tuple(pos), tuple(pol)


def joule_source(needle: Needle, positions, polarities, tissue, frequency, grid: CartesianGrid, *,
                 insulated=True, rtol=1e-8):
    """Unit-voltage solution: q per volume [W/m³] at 1 V between the poles, and the solution.

    The + pins sit at +0.5 V, the − pins at −0.5 V.
    """
    tissue = get_tissue(tissue)
    _, _, z = grid.centres()
    sig_layers = layer_conductivities(tissue, frequency)
    sigma = np.broadcast_to(sig_layers[tissue.layer_at(z)][None, None, :], grid.shape).copy()
    labels, ins = needle_masks(grid, positions, needle, insulated_length=needle.insulated_length if insulated else 0.0)
    sigma[ins] = 0.0
    fixed = np.full(grid.shape, np.nan)
    for n, p in enumerate(polarities, start=1):
        fixed[labels == n] = 0.5 * p
    sol = solve_potential(sigma, grid.h, fixed, labels, rtol=rtol)
    return sol.joule / grid.h**3, sol


def simulate_mnrf(needle: Needle, rf: RFSettings, tissue="face", *, numerics: RFNumerics = RFNumerics(),
                  layout="pair", pitch=None, insulated=None, process="collagen_birefringence",
                  wound_pixel=10e-6, pattern: NeedlePattern | None = None, field_size=2e-3, seed=0):
    """Microneedle RF stage: potential, Joule heat, Pennes heat and collagen damage around the pins.

    Parameters
    ----------
    needle : Needle
        Needle geometry (length, diameter, tip, insulated length, penetration ratio).
    rf : RFSettings
        Energy per pin [J], conduction time [s], frequency [Hz].
    tissue : Tissue or str
        Layered skin (``"face"`` by default).
    numerics : RFNumerics
        Grid spacing, margins, cooling time, solver tolerance, heat engine.
    layout : "pair" or (rows, cols)
        A bipolar pin pair, or a rows × cols checkerboard array.
    pitch : float, optional
        Pin spacing [m]; default the needle's ``pitch``.
    insulated : bool, optional
        Override the needle's insulation (None: insulated when ``needle.insulated_length > 0``).
    process : str
        Arrhenius process of the coagulation criterion (key of ``damage.ARRHENIUS``).
    wound_pixel : float
        Pixel size of the en-face wound map [m].
    pattern : NeedlePattern, optional
        When given, the wound map covers a periodic square field of side ``field_size`` [m]
        treated with this pattern (passes, layout; ``seed`` places random passes): each pin
        leaves the basal-layer footprint of the simulated pin (its channel, or the coagulated
        basal layer where that is wider). Without it, the map is the simulated pins' own grid.

    Returns
    -------
    MNRFResult
    """
    tissue = get_tissue(tissue)
    pitch = needle.pitch if pitch is None else pitch
    if not (pitch > needle.diameter):
        raise ValueError("pitch must exceed the needle diameter")
    insulated = (needle.insulated_length > 0) if insulated is None else bool(insulated)
    if insulated and needle.insulated_length >= channel_depth(needle):
        raise ValueError("insulated_length must be shorter than the channel depth (some tip must conduct)")
    if layout == "pair":
        positions, polarities = bipolar_pair(pitch)
    else:
        positions, polarities = bipolar_array(int(layout[0]), int(layout[1]), pitch)
    h = numerics.h
    xs = [p[0] for p in positions]
    ys = [p[1] for p in positions]
    half_x = max(abs(v) for v in xs) + needle.diameter / 2 + numerics.margin
    half_y = max(abs(v) for v in ys) + needle.diameter / 2 + numerics.margin
    depth = channel_depth(needle) + numerics.margin
    shape = (2 * int(math.ceil(half_x / h)) + 1, 2 * int(math.ceil(half_y / h)) + 1, int(math.ceil(depth / h)))
    grid = CartesianGrid(shape, h)

    q_unit, sol = joule_source(needle, positions, polarities, tissue, rf.frequency, grid, insulated=insulated,
                               rtol=numerics.rtol)
    p_unit = sol.power  # W at 1 V
    n_pins = len(positions)
    if rf.voltage is not None:
        scale = rf.voltage**2  # q ∝ V²; the unit solution is at 1 V
    else:
        scale = rf.energy_per_pin * n_pins / rf.conduction_time / p_unit
    q = q_unit * scale
    currents = np.array(list(sol.currents.values()))
    balance = float(abs(currents.sum()) / np.abs(currents).max())

    T, omega, t_max, epi_max = _heat(q, grid, tissue, rf.conduction_time, numerics, process)
    if t_max.max() > T_BOIL:
        warnings.warn(
            f"MNRF: tissue reaches {t_max.max() - ZERO_CELSIUS:.0f} °C, above boiling; the model has no vaporisation "
            "and no impedance rise, so temperatures and coagulation there are overestimated", stacklevel=2)
    coag = omega >= 1.0
    x, y, z = grid.centres()
    if coag.any():
        kz = np.nonzero(coag.any(axis=(0, 1)))[0]
        depth_max, depth_min = (kz.max() + 1) * h, kz.min() * h
        # one pin's zone: cells nearer to pin 1 than to any other pin
        X, Y = np.meshgrid(x, y, indexing="ij")
        d = np.stack([np.hypot(X - px, Y - py) for px, py in positions])
        own = (np.argmin(d, axis=0) == 0)[:, :, None] & coag
        jy = np.nonzero(own.any(axis=(0, 2)))[0]
        width = (jy.max() - jy.min() + 1) * h if jy.size else 0.0
    else:
        depth_max = depth_min = width = 0.0
    k_basal = min(int(basal_depth(tissue) / h), grid.shape[2] - 1)
    r_channel = channel_radius_at(needle, basal_depth(tissue))
    r_coag = math.sqrt(coag[:, :, k_basal].sum() * h**2 / n_pins / math.pi)
    footprint = max(r_channel, r_coag)
    density = needle.pins_per_area * (pattern.passes if pattern is not None else 1)
    if pattern is None:
        wound = _basal_wound_map(coag[:, :, k_basal], grid, r_channel, positions, wound_pixel)
    else:
        centres = place_channels(needle, pattern, field_size, seed=seed)
        wound = wound_map(centres, footprint, field_size, wound_pixel, shape=needle.tip_shape)
    return MNRFResult(
        coag_depth_max=float(depth_max), coag_depth_min=float(depth_min), coag_width=float(width),
        coag_volume_per_pin=float(coag.sum() * h**3 / n_pins), epidermis_peak_temperature=float(epi_max),
        peak_temperature=float(t_max.max()), energy_delivered=float(q.sum() * h**3 * rf.conduction_time),
        voltage=float(math.sqrt(scale)), impedance=float(1.0 / p_unit), current_balance=balance,
        n_pins=n_pins, insulated=insulated, coag_map=coag, temperature_max_map=t_max, joule_density=q,
        grid_h=h, wound_map=wound, pixel_size=wound_pixel, wounded_fraction=float(wound.mean()),
        basal_footprint_radius=float(footprint), basal_coag_radius=float(r_coag),
        coag_volume_per_area=float(coag.sum() * h**3 / n_pins * density),
        channel_volume_per_area=float(channel_volume(needle) * density), positions=tuple(positions),
    )


def _heat(q, grid, tissue, pulse, numerics, process):
    """Pennes + Arrhenius on the grid with source q during the pulse (operator splitting).

    Each step first adds dt·q/(ρc) during the pulse, then takes one step of the
    ``reference3d`` scheme (conduction, perfusion, Ω at the old T).
    """
    dermis = tissue.dermis
    rc = dermis.heat_capacity
    alpha = dermis.diffusivity
    w = dermis.perfusion  # ρ_b c_b = ρc (assumption as in heat.axisym)
    proc = damage.ARRHENIUS[process]
    dt_max = reference3d.stable_dt(alpha, grid.h, w)
    n_pulse = max(1, int(math.ceil(pulse / (0.9 * dt_max))))
    dt = pulse / n_pulse
    n_cool = int(math.ceil(numerics.cooling_time / dt))
    kw = dict(alpha=alpha, dx=grid.h, dt=dt, perfusion_rate=w, T_body=T_BODY, A=proc.A, Ea=proc.Ea)
    T = np.full(grid.shape, T_BODY)
    omega = np.zeros(grid.shape)
    t_max = T.copy()
    k_epi = max(1, int(math.ceil(basal_depth(tissue) / grid.h)))
    epi_max = T_BODY
    dT = q * dt / rc
    if numerics.engine == "numba":
        step = _stepper(tuple(grid.shape), tuple(sorted(kw.items())))
        scratch = np.empty_like(T)

        def advance(T, omega):
            step(T, omega, scratch, 1)
            return T, omega
    elif numerics.engine == "numpy":
        def advance(T, omega):
            return reference3d.pennes_arrhenius_step_numpy(T, omega, **kw)
    else:
        raise ValueError(f"unknown heat engine {numerics.engine!r}; choose 'numba' or 'numpy'")
    for n in range(n_pulse + n_cool):
        if n < n_pulse:
            T += dT
        np.maximum(t_max, T, out=t_max)
        epi_max = max(epi_max, float(T[:, :, :k_epi].max()))
        T, omega = advance(T, omega)
    np.maximum(t_max, T, out=t_max)
    return T, omega, t_max, epi_max


@lru_cache(maxsize=8)
def _stepper(shape, kw_items):
    """reference3d's compiled stepper, kept for repeated runs on the same grid and step."""
    return reference3d.make_stepper_3d(shape, **dict(kw_items))


def _basal_wound_map(coag_basal, grid, r, positions, pixel):
    """En-face basal-layer wound: the needle channels (half-width r) plus coagulated basal-layer cells."""
    nx, ny = coag_basal.shape
    ex, ey = nx * grid.h, ny * grid.h
    mx, my = int(round(ex / pixel)), int(round(ey / pixel))
    px = (np.arange(mx) + 0.5) * pixel - ex / 2
    py = (np.arange(my) + 0.5) * pixel - ey / 2
    PX, PY = np.meshgrid(px, py, indexing="ij")
    ii = np.clip(((PX + ex / 2) / grid.h).astype(int), 0, nx - 1)
    jj = np.clip(((PY + ey / 2) / grid.h).astype(int), 0, ny - 1)
    wound = coag_basal[ii, jj].copy()
    for cx, cy in positions:
        wound |= np.hypot(PX - cx, PY - cy) <= r
    return wound
