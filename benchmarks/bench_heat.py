"""3-D Pennes bioheat + Arrhenius damage: mtzsim's kernel against numpy, py-pde and FiPy.

`python benchmarks/run.py heat [--json] [--quick]`. Every solver advances the same
problem (same grid, dt, steps, boundary conditions, initial state) and the fields are
compared with mtzsim's kernel, so the speeds are for the identical computation:

* grid n³ float64 (128³; FiPy 32³), dx = 5 µm, α = 1.1e-7 m²/s (assumption), perfusion
  w = 1e-3 /s, T_body = 37 °C, dt = 0.9 × dx²/(6α + w dx²), explicit Euler, 50 steps
  (FiPy 10) after a warm-up (JIT compilation excluded);
* top face (z = 0) adiabatic, the other five faces T = T_body in the ghost cells;
* collagen Arrhenius damage A = e^130 /s, Ea = 89 kcal/mol, rate at the old T;
* a hot Gaussian blob (90 °C peak over 37 °C, σ = n/10 cells) below the surface, so Ω
  becomes O(1) in its core.

Speeds are in million cell-updates per second (Mcell/s: cells × steps / time). The
bandwidth limit is the best numba STREAM triad over arrays ≫ cache on all threads,
divided by the 32 bytes that one cell-update must move at least (read T and Ω, write
T and Ω, float64).
"""

from __future__ import annotations

import datetime
import math
import os
import platform
import time

import numpy as np

from mtzsim.physics.heat import reference3d as heat3d
from mtzsim.physics.heat.reference3d import R_GAS

ALPHA = 1.1e-7  # [m²/s] dermis-like diffusivity, an assumption for the benchmark
DX = 5e-6  # [m]
PERFUSION = 1e-3  # [1/s]
T_BODY = 310.15  # [K]
A_COL = math.exp(130.0)  # [1/s] collagen coagulation, the brief's set
EA_COL = 89.0 * 4184.0  # [J/mol]
BYTES_PER_CELL = 32  # read T, Ω; write T, Ω (float64): the minimum per cell-update


def _params():
    dt = 0.9 * heat3d.stable_dt(ALPHA, DX, PERFUSION)
    return dict(alpha=ALPHA, dx=DX, dt=dt, perfusion_rate=PERFUSION, T_body=T_BODY, A=A_COL, Ea=EA_COL)


def _initial(n):
    """Hot Gaussian blob: 90 °C peak at (n/2, n/2, n/4), σ = n/10 cells."""
    i = np.arange(n, dtype=np.float64)
    sigma = n / 10.0
    gx = np.exp(-((i - (n - 1) / 2) ** 2) / (2 * sigma**2))
    gz = np.exp(-((i - n / 4) ** 2) / (2 * sigma**2))
    T = T_BODY + 53.0 * gx[:, None, None] * gx[None, :, None] * gz[None, None, :]
    return np.ascontiguousarray(T), np.zeros((n, n, n))


def _best(fn, repeats):
    best = math.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


# --------------------------------------------------------------------------- peers


def _run_kernel(n, steps, p):
    step = heat3d.make_stepper_3d((n, n, n), **p)
    T, om = _initial(n)
    S = np.empty_like(T)
    step(T.copy(), om.copy(), S, 2)  # JIT warm-up
    step(T, om, S, steps)
    return step, T, om


def _time_kernel(step, n, steps, repeats):
    T, om = _initial(n)
    S = np.empty_like(T)
    step(T, om, S, 2)  # touch pages
    return _best(lambda: step(T, om, S, steps), repeats)


def _run_numpy(n, steps, p):
    T, om = _initial(n)
    t0 = time.perf_counter()
    for _ in range(steps):
        T, om = heat3d.pennes_arrhenius_step_numpy(T, om, **p)
    return time.perf_counter() - t0, T, om


def _run_pypde(n, steps, p):
    import pde
    from pde.solvers import EulerSolver

    L = n * DX
    grid = pde.CartesianGrid([[0.0, L]] * 3, [n] * 3)
    # Robin condition ∂T/∂n + γ T = β with γ = 2/dx, β = 2 T_body/dx puts T_body in
    # py-pde's ghost cell whatever the interior value: our Dirichlet-ghost wall.
    wall = {"type": "mixed", "value": 2.0 / DX, "const": 2.0 * T_BODY / DX}
    bc = {"x": wall, "y": wall, "z-": {"derivative": 0.0}, "z+": wall}
    eq = pde.PDE(
        {
            "T": "alpha * laplace(T) - w * (T - Tb)",
            "Omega": "A * exp(-Ea / (R * T))",
        },
        bc=bc,
        consts={"alpha": p["alpha"], "w": p["perfusion_rate"], "Tb": T_BODY, "A": A_COL, "Ea": EA_COL, "R": R_GAS},
    )
    T0, om0 = _initial(n)
    state = pde.FieldCollection([pde.ScalarField(grid, T0, label="T"), pde.ScalarField(grid, om0, label="Omega")])
    solver = EulerSolver(eq, backend="numba", adaptive=False)  # explicit Euler, fixed dt
    stepper = solver.make_stepper(state, dt=p["dt"])
    warm = state.copy()
    stepper(warm, 0.0, 1.5 * p["dt"])  # JIT warm-up (two steps)
    dt = p["dt"]
    t0 = time.perf_counter()
    # py-pde steps while t < t_end; ending half a step past the last one gives exactly `steps`
    t_last = stepper(state, 0.0, (steps - 0.5) * dt)
    elapsed = time.perf_counter() - t0
    done = round(t_last / dt)
    if done != steps:
        raise RuntimeError(f"py-pde made {done} steps, expected {steps}")
    return elapsed, state[0].data, state[1].data, pde.__version__


def _run_fipy(n, steps, p):
    import fipy
    from fipy.tools import numerix

    dt = p["dt"]
    mesh = fipy.Grid3D(dx=DX, dy=DX, dz=DX, nx=n, ny=n, nz=n)
    T0, om0 = _initial(n)
    # FiPy orders cells x fastest, then y, then z: the transpose of our [x, y, z] C order
    T = fipy.CellVariable(mesh=mesh, value=T0.transpose(2, 1, 0).ravel())
    om = fipy.CellVariable(mesh=mesh, value=om0.transpose(2, 1, 0).ravel())
    # Dirichlet-ghost walls: count each cell's faces on x, y and the bottom z walls; each adds
    # α (T_body − T)/dx² (FiPy's own walls would put T_body on the face, half a cell closer).
    x, y, z = (np.asarray(c) for c in mesh.cellCenters)
    lo, hi = 0.5 * DX, (n - 0.5) * DX
    tol = 1e-3 * DX
    nwall = (
        (np.abs(x - lo) < tol).astype(float) + (np.abs(x - hi) < tol)
        + (np.abs(y - lo) < tol) + (np.abs(y - hi) < tol) + (np.abs(z - hi) < tol)
    )
    nwall = fipy.CellVariable(mesh=mesh, value=nwall)
    # no constraint on faces = zero flux: the adiabatic top face and the base of the walls
    eq_T = fipy.TransientTerm(var=T) == (
        fipy.ExplicitDiffusionTerm(coeff=ALPHA, var=T)
        + (ALPHA / DX**2) * nwall * (T_BODY - T)
        - PERFUSION * (T - T_BODY)
    )
    eq_om = fipy.TransientTerm(var=om) == A_COL * numerix.exp(-EA_COL / (R_GAS * T))

    def one_step():
        eq_om.solve(var=om, dt=dt)  # rate at the old T
        eq_T.solve(var=T, dt=dt)

    one_step()  # warm-up: first-call set-up of FiPy's matrices and solver
    T.setValue(T0.transpose(2, 1, 0).ravel())
    om.setValue(om0.transpose(2, 1, 0).ravel())
    t0 = time.perf_counter()
    for _ in range(steps):
        one_step()
    elapsed = time.perf_counter() - t0
    back = lambda v: np.asarray(v.value).reshape(n, n, n).transpose(2, 1, 0)  # noqa: E731
    return elapsed, back(T), back(om), fipy.__version__


# ------------------------------------------------------------------- machine limit


def _stream_triad_gbs(repeats=10, n=1 << 25):
    """Best STREAM triad a = b + s c over 3 × 256 MiB float64 arrays [GB/s] (24 bytes/element)."""
    from numba import njit, prange

    @njit(parallel=True, fastmath=True)
    def triad(a, b, c, s):
        for i in prange(a.size):
            a[i] = b[i] + s * c[i]

    a, b, c = np.zeros(n), np.ones(n), np.full(n, 2.0)
    triad(a, b, c, 3.0)
    return 24 * n / _best(lambda: triad(a, b, c, 3.0), repeats) / 1e9


def _single_mtz():
    try:
        from mtzsim.physics.laser import make_beam
        from mtzsim.physics.mtz import simulate_mtz

        beam = make_beam("co2", energy=80e-3, spot_diameter=120e-6)
        simulate_mtz(beam)  # warm-up (JIT)
        t0 = time.perf_counter()
        simulate_mtz(beam)
        return time.perf_counter() - t0, None
    except NotImplementedError as exc:
        return None, f"simulate_mtz not implemented yet: {exc}"
    except Exception as exc:  # a benchmark reports, it does not crash
        return None, f"simulate_mtz failed: {type(exc).__name__}: {exc}"


def _diff(a, b):
    return float(np.max(np.abs(np.asarray(a) - np.asarray(b))))


# ------------------------------------------------------------------------- driver


def run(args):
    import numba

    quick = bool(getattr(args, "quick", False))
    n, steps = (48, 10) if quick else (128, 50)
    n_fipy, steps_fipy = (16, 4) if quick else (32, 10)
    repeats = 3 if quick else 7
    p = _params()
    cells = n**3
    out = {
        "date": datetime.date.today().isoformat(),
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
        "cpu_count": os.cpu_count(),
        # other work on the machine skews every figure (a busy core halves a 2-thread kernel)
        "load_average_1min_at_start": os.getloadavg()[0],
        "numba_threads": numba.get_num_threads(),
        "numba_threading_layer": None,
        "numpy_threads": 1,  # the twin is element-wise numpy: single-threaded, no BLAS
        "grid": [n, n, n],
        "grid_fipy": [n_fipy] * 3,
        "steps": steps,
        "steps_fipy": steps_fipy,
        "dt_s": p["dt"],
        "dx_m": DX,
        "alpha_m2_s": ALPHA,
        "boundary": "top z=0 adiabatic (mirror); other faces T_body in ghost cells; identical for all solvers",
        "bytes_per_cell_update": BYTES_PER_CELL,
        "damage_cutoff_K": heat3d.damage_cutoff(A_COL, EA_COL, p["dt"]),
    }

    # mtzsim kernel (reference answer for the comparisons)
    step, T_ref, om_ref = _run_kernel(n, steps, p)
    out["numba_threading_layer"] = numba.threading_layer()
    out["omega_max"] = float(om_ref.max())
    out["T_max_K"] = float(T_ref.max())
    bw_before = _stream_triad_gbs(repeats=4 if quick else 10)
    t_kernel = _time_kernel(step, n, steps, repeats)
    bw_after = _stream_triad_gbs(repeats=4 if quick else 10)
    bw = max(bw_before, bw_after)
    out["kernel_s"] = t_kernel
    out["kernel_mcell_per_s"] = cells * steps / t_kernel / 1e6
    out["stream_triad_gb_per_s"] = bw
    out["stream_triad_gb_per_s_before_after"] = [bw_before, bw_after]
    out["bandwidth_limit_mcell_per_s"] = bw * 1e9 / BYTES_PER_CELL / 1e6
    out["fraction_of_bandwidth_limit"] = out["kernel_mcell_per_s"] / out["bandwidth_limit_mcell_per_s"]

    # numpy twin
    t_np, T_np, om_np = _run_numpy(n, steps, p)
    out["numpy_s"] = t_np
    out["numpy_mcell_per_s"] = cells * steps / t_np / 1e6
    out["numpy_max_abs_dT_K"] = _diff(T_np, T_ref)
    out["numpy_max_abs_dOmega"] = _diff(om_np, om_ref)

    # py-pde
    try:
        t_pp, T_pp, om_pp, ver = _run_pypde(n, steps, p)
        out["pypde_version"] = ver
        out["pypde_s"] = t_pp
        out["pypde_mcell_per_s"] = cells * steps / t_pp / 1e6
        out["pypde_max_abs_dT_K"] = _diff(T_pp, T_ref)
        out["pypde_max_abs_dOmega"] = _diff(om_pp, om_ref)
    except Exception as exc:
        out["pypde_mcell_per_s"] = None
        out["pypde_error"] = f"{type(exc).__name__}: {exc}"

    # FiPy, on a smaller grid; compared with the kernel on that grid
    try:
        t_fp, T_fp, om_fp, ver = _run_fipy(n_fipy, steps_fipy, p)
        _, T_small, om_small = _run_kernel(n_fipy, steps_fipy, p)
        out["fipy_version"] = ver
        out["fipy_s"] = t_fp
        out["fipy_mcell_per_s"] = n_fipy**3 * steps_fipy / t_fp / 1e6
        out["fipy_max_abs_dT_K"] = _diff(T_fp, T_small)
        out["fipy_max_abs_dOmega"] = _diff(om_fp, om_small)
    except Exception as exc:
        out["fipy_mcell_per_s"] = None
        out["fipy_error"] = f"{type(exc).__name__}: {exc}"

    # one MTZ end to end (engine by others; null until it exists)
    t_mtz, why = _single_mtz()
    out["single_mtz_s"] = t_mtz
    if why:
        out["single_mtz_error"] = why
    return out
