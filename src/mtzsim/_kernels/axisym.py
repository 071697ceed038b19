"""Numba kernels of the axisymmetric (r, z) single-MTZ solver. Private: use mtzsim.physics.heat.axisym and mtzsim.physics.mtz.

Arrays are indexed [j, k] = [radius, depth]; SI units. The pulse-phase kernel takes small
records (the namedtuples below) and is made by :func:`make_pulse_phase`. Each kernel has a
readable numpy twin (mtzsim.physics.heat.axisym, mtzsim.physics.mtz.pulse) that the tests
hold it to.
"""

from __future__ import annotations

import cmath
import math
from collections import namedtuple

import numba as nb
import numpy as np

#: Per-cell material of the grid [J/m³, J/(m³ K), 1/m, 1/s, m³, kg/m³, W/K, m]: the enthalpy
#: levels of boiling onset (H1), complete desiccation (H2) and ejection (Habl); wet and dry
#: heat capacities; absorption; perfusion; cell volumes; density; face conductances; cell
#: radii; spacing h; body and boiling temperatures [K]; t_surface [K] the temperature of the
#: coolant the skin surface exchanges heat with through the conductances Gz[:, 0] (a Robin face,
#: :mod:`mtzsim.physics.mtz.surface_cooling`; Gz[:, 0] = 0, the default: adiabatic surface).
Material = namedtuple("Material", "H1 H2 Habl rc rc_dry mua perf vol rho Gr Gz r h t_body t_boil t_surface",
                      defaults=(0.0,))
#: The pulse train [s, W, m]: start of each pulse, duration, end of the last, peak power,
#: 1/e² radius w0, Rayleigh range, Gaussian (True) or top-hat; q_static [1/m³] a fixed
#: deposition per unit power (scattering beam) or an empty (0, 0) array (Beer–Lambert columns).
#: index: complex refractive index n + ik of the tissue at the wavelength (Fresnel reflection at
#: the surface and the crater walls, :func:`deposit_beam`; 1 + 0j: none).
#: dry_absorption: κ [-], the absorption of the desiccated matrix over that of wet tissue at the
#: wavelength (Beer–Lambert columns only): a cell absorbs µa (κ + (1 − κ) w), w the fraction of its
#: water it still holds (:func:`water_left`, :func:`absorption_update`); 1: as wet tissue.
#: wall_optics: True (default) traces the light the crater profile reflects (incidence set by its
#: slope, specular bounces onto the walls, :func:`deposit_beam`); False: every column's light meets
#: the profile as at normal incidence (the surface-normal Fresnel R leaves the skin, no bounce).
#: mua_slope [1/K], mua_t_ref, mua_t_cap [K]: water's absorption at the wavelength changes with the
#: cell's temperature as 1 + mua_slope (min(T, mua_t_cap) − mua_t_ref) (Beer–Lambert columns only;
#: :func:`absorption_update`); mua_slope 0: temperature-independent (the temperatures are then unused).
#: wavelength [m]: a reflected ray that reaches the crater's axis is spread over its diffraction-limited
#: spot (:func:`spread_radius`, :func:`deposit_beam`); 0: geometric optics (the ray's own column).
#: roughness [m]: rms height σ of the crater walls; a wall reflects specularly only the share
#: exp(−(4π σ cos θ / λ)²) of its Fresnel R (:func:`specular_share`), the rest is scattered
#: diffusely (:func:`deposit_beam`); 0: optically smooth walls. Needs ``wavelength`` > 0.
#: absorption_scale (nr, nz): for a map recomputed during the pulse (``q_static`` is then what each cell
#: would absorb at its wet, body-temperature µa in the light field of the tissue as it is), each cell's
#: absorption over that µa apart from its water (water's temperature law when the map was computed);
#: a cell absorbs water_left × scale of the map, and nothing is handed down (the transport has placed
#: the light, :func:`deposit_water_limited`). An empty (0, 0) array: the map is for wet tissue.
#: dry_cells (nr, nz): κ of each cell where it differs between layers (the desiccated-matrix ratio belongs to
#: the collagen-bearing layers; fat, whose lipid absorbs at 10.6 µm, keeps 1:
#: :func:`mtzsim.physics.mtz.pulse.pulse_train`); an empty (0, 0) array: ``dry_absorption`` in every cell.
PulseTrain = namedtuple("PulseTrain",
                        "starts duration t_end power w0 z_rayleigh gaussian q_static index dry_absorption wall_optics "
                        "mua_slope mua_t_ref mua_t_cap wavelength roughness absorption_scale dry_cells",
                        defaults=(1.0 + 0.0j, 1.0, True, 0.0, 0.0, 0.0, 0.0, 0.0, np.zeros((0, 0)), np.zeros((0, 0))))
#: Plume shielding: mu [1/m] absorption coefficient of the condensed ejecta at the wavelength;
#: near, far [-] the volume fractions of the confined channel they fill in the acceleration zone
#: (the first ``length`` [m] above the floor) and beyond it (both 0 = off); vent [m] the top of
#: the crater where the walls do not confine the ejecta; ejection_delay [s] from reaching the
#: ablation enthalpy to removal. Once the current pulse has ejected mass (0 before) the ejecta
#: fill the confined channel, depths [vent, d] of a crater d deep: the dense zone
#: [d − min(c, length), d] and the fast zone above it, c = max(d − vent, 0). Each ray crosses them
#: only down to the depth where it meets the crater profile (:func:`plume_transmission`): on the axis
#: τ = mu (near · min(c, length) + far · max(c − length, 0)); light that meets the wall higher up
#: crosses less, and light outside the crater's mouth none. wall [-]: fraction of the power the ejecta absorb that
#: they give to the crater's lateral wall as they stream out along it (hot ejecta flowing
#: along the wall, :mod:`mtzsim.physics.mtz.losses`), per unit wall area (default 0).
#: vent_mouth [-]: when > 0 the vent is this many radii of the crater's own mouth (its radius
#: at the surface, now) instead of ``vent``: c = max(d − vent_mouth · a, 0).
#: capacity [J/kg]: the energy the ejecta of one kg of ablated tissue can absorb from the beam before they are
#: gasified, and the vapour is transparent (0: no limit). The ejecta of the pulse firing now absorb at most
#: capacity × the mass it has ejected, less what they have absorbed already (:func:`_pulse_phase`).
#: ``boil_time`` [s] (0: equilibrium boiling): a cell heats as superheated liquid on the ``levels`` (3, nr, nz: H1, H2,
#: Habl of confined superheating, plateau ``t_abl`` [K]) until it has been above the material's boiling enthalpy for
#: boil_time; then its water flashes and it boils, dries and is ejected on the material's levels (boiling that takes time).
Plume = namedtuple("Plume", "mu near far length vent ejection_delay wall vent_mouth capacity boil_time t_abl levels",
                   defaults=(0.0, 0.0, 0.0, 0.0, 0.0, np.zeros((0, 0, 0))))
#: Arrhenius processes [1/s, J/mol, K, K]: A, Ea, cutoff temperature, Ea / R (the kernels use EaR).
Rates = namedtuple("Rates", "A Ea t_cut EaR")
#: Time-step limits [s, s, -]: stable explicit step, the same for desiccated cells, and the
#: largest fraction of the ablation enthalpy one step may deposit; box_floor [J/m³]: cells
#: holding no more than this (|H|) count as cold for the pulse kernel's active box (0: only
#: cells at exactly body temperature; a pulse that follows an implicit gap of a train uses a
#: small floor so that the far tail of the residual heat does not make the box the whole grid).
Steps = namedtuple("Steps", "dt_max dt_max_dry heat_step box_floor", defaults=(0.0,))
#: The state the pulse phase advances in place: enthalpy above body temperature H [J/m³],
#: void (ablated) mask, damage integrals Omega[p] [-], peak temperature Tmax [K], and the
#: desiccated mask (cells whose water has boiled off: they stay dry when they cool, between
#: stacked pulses, instead of condensing water they no longer hold).
State = namedtuple("State", "H void Omega Tmax dry")
#: Probe cells (j, k indices) sampled every ``every`` steps into t [s] and T [K].
Probes = namedtuple("Probes", "j k every t T")
#: Tally slots of the pulse phase [J]: index names.
#: ``reflected``: left the skin upward after Fresnel reflection at the surface or the crater walls;
#: ``redirected``: absorbed in the tissue after at least one wall reflection (part of ``delivered``).
#: ``surface``: conducted out of the skin surface into a coolant (Robin face; 0 when adiabatic).
TALLY = ("delivered", "plume", "transmitted", "ablated", "boundary", "perfusion", "ejected_mass", "wall_heating",
         "reflected", "redirected", "surface")


@nb.njit(cache=True, inline="always")
def _temperature(H, H1, H2, rc, rc_dry, t_body, t_boil, dry):
    """Temperature [K] from enthalpy per volume H [J/m³] above body temperature (dry: no water left)."""
    if dry:
        return t_boil + (H - H2) / rc_dry
    if H < H1:
        return t_body + H / rc
    if H < H2:
        return t_boil
    return t_boil + (H - H2) / rc_dry


@nb.njit(cache=True)
def temperatures(H, void, dry, H1, H2, rc, rc_dry, t_body, t_boil, T):
    nr, nz = H.shape
    temperatures_box(H, void, dry, H1, H2, rc, rc_dry, t_body, t_boil, T, nr, nz)


@nb.njit(cache=True)
def temperatures_box(H, void, dry, H1, H2, rc, rc_dry, t_body, t_boil, T, jb, kb):
    """Temperatures of the cells [0, jb) × [0, kb) (the active box; the rest stays at t_body)."""
    for j in range(jb):
        for k in range(kb):
            if void[j, k]:
                T[j, k] = t_body
            else:
                T[j, k] = _temperature(H[j, k], H1[j, k], H2[j, k], rc[j, k], rc_dry[j, k], t_body, t_boil, dry[j, k])


@nb.njit(cache=True)
def superheat_plateau(H, void, sh, H1, H2, t_abl, T, jb, kb):
    """Cells still superheated (``sh``) that are on their vaporisation plateau sit at T_abl, not at T_boil."""
    for j in range(jb):
        for k in range(kb):
            if sh[j, k] and not void[j, k] and H1[j, k] <= H[j, k] < H2[j, k]:
                T[j, k] = t_abl


@nb.njit(cache=True)
def conduction_rate(T, void, Gr, Gz, t_body, t_surf, out):
    """Net conductive power into each cell [W]; returns the power lost through the far boundaries
    and the power conducted out of the skin surface [W].

    Gr[j, k] is the conductance [W/K] of the radial face between cells j-1 and j
    (Gr[0] = 0 on the axis, Gr[nr] to the far boundary at t_body); Gz likewise in depth
    (Gz[:, 0] the skin surface's conductance to a coolant at t_surf, 0: adiabatic; Gz[:, nz]
    to the deep boundary). Void cells (ablated) exchange no heat.
    """
    nr, nz = T.shape
    return conduction_rate_box(T, void, Gr, Gz, t_body, t_surf, out, nr, nz)


@nb.njit(cache=True)
def conduction_rate_box(T, void, Gr, Gz, t_body, t_surf, out, jb, kb):
    """:func:`conduction_rate` on the cells [0, jb) × [0, kb); cells beyond are at t_body."""
    nr, nz = T.shape
    lost = 0.0
    cooled = 0.0
    for j in range(jb):
        for k in range(kb):
            if void[j, k]:
                out[j, k] = 0.0
                continue
            Tc = T[j, k]
            q = 0.0
            if j > 0:
                if not void[j - 1, k]:
                    q += Gr[j, k] * (T[j - 1, k] - Tc)
            if j < nr - 1:
                if not void[j + 1, k]:
                    q += Gr[j + 1, k] * (T[j + 1, k] - Tc)
            else:
                f = Gr[nr, k] * (t_body - Tc)
                q += f
                lost -= f
            if k > 0:
                if not void[j, k - 1]:
                    q += Gz[j, k] * (T[j, k - 1] - Tc)
            elif Gz[j, 0] > 0.0:
                f = Gz[j, 0] * (t_surf - Tc)
                q += f
                cooled -= f
            if k < nz - 1:
                if not void[j, k + 1]:
                    q += Gz[j, k + 1] * (T[j, k + 1] - Tc)
            else:
                f = Gz[j, nz] * (t_body - Tc)
                q += f
                lost -= f
            out[j, k] = q
    return lost, cooled


@nb.njit(cache=True)
def arrhenius_update_box(T, void, omega, A, EaR, dt, t_cut, jb, kb):
    """Ω_p += dt·A_p·exp(−Ea_p/(R T)) on the cells [0, jb) × [0, kb) (explicit, rate at T).

    ``EaR[p]`` = Ea_p / R [K]: the gas constant comes in with the data (from mtzsim.constants,
    through :data:`Rates`), never typed in a kernel.

    t_cut[p] is process p's own cutoff [K], chosen by the caller so that the skipped
    increments stay below a stated tolerance over the whole run (mtzsim.physics.heat.axisym.arrhenius_cutoff).
    """
    npr = A.shape[0]
    t_min = t_cut[0]
    for p in range(npr):
        t_min = min(t_min, t_cut[p])
    for j in range(jb):
        for k in range(kb):
            Tc = T[j, k]
            if Tc < t_min or void[j, k]:
                continue
            inv = 1.0 / Tc
            for p in range(npr):
                if Tc >= t_cut[p]:
                    omega[p, j, k] += dt * A[p] * math.exp(-EaR[p] * inv)


#: Reflections followed per column and step before the rest is absorbed where the ray is
#: (numerics choice: past ~30 wall reflections at R ≤ 0.9 less than 4 % of a ray is left).
MAX_BOUNCES = 32
#: A reflected share below this fraction of the column's power is absorbed where it is, not
#: traced (numerics choice: it changes where ≤ 10⁻⁴ of the beam is absorbed, conserving it).
TRACE_FLOOR = 1e-4


@nb.njit(cache=True, inline="always")
def fresnel(c, index):
    """Unpolarised Fresnel reflectance [-] from air into complex index ``index`` at incidence cosine c."""
    ct = cmath.sqrt(1.0 - (1.0 - c * c) / (index * index))
    rs = (c - index * ct) / (c + index * ct)
    rp = (index * c - ct) / (index * c + ct)
    return 0.5 * (abs(rs) ** 2 + abs(rp) ** 2)


@nb.njit(cache=True, inline="always")
def specular_share(c, roughness, wavelength):
    """Share of a rough surface's reflectance that stays specular [-]: exp(−(4π σ c / λ)²).

    Davies (1954) / Beckmann & Spizzichino (1963) for a Gaussian height distribution of rms σ much
    wider than the wavelength laterally: the coherent (specular) reflectance is R exp(−(4π σ cos θ
    / λ)²), the rest of R is scattered diffusely. Grazing rays (cos θ → 0) stay specular however
    rough the wall (Rayleigh's criterion). ``roughness`` or ``wavelength`` 0: 1 (a smooth wall).
    """
    if roughness <= 0.0 or wavelength <= 0.0:
        return 1.0
    g = 4.0 * math.pi * roughness * c / wavelength
    return math.exp(-g * g)


@nb.njit(cache=True, inline="always")
def first_solid(void, j, k):
    """Index of the first solid (non-void) cell of row ``k`` from column ``j`` outward; ``nr`` if none."""
    nr = void.shape[0]
    while j < nr and void[j, k]:
        j += 1
    return j


@nb.njit(cache=True, inline="always")
def profile_depth(floor, ra, h):
    """Depth [m] of the crater profile at radius ra [m]: column floors joined linearly between column centres."""
    nr = floor.shape[0]
    u = ra / h - 0.5
    if u <= 0.0:
        return floor[0] * h
    i = int(u)
    if i >= nr - 1:
        return floor[nr - 1] * h
    f = u - i
    return ((1.0 - f) * floor[i] + f * floor[i + 1]) * h


@nb.njit(cache=True, inline="always")
def profile_slope(floor, ra, h, node):
    """Slope dz/dr [-] of the crater profile: central difference at column ``node`` (≥ 0), else of the segment at ra."""
    nr = floor.shape[0]
    if node >= 0:
        a = floor[node - 1] if node > 0 else (floor[1] if nr > 1 else floor[0])
        b = floor[node + 1] if node < nr - 1 else floor[node]
        return 0.5 * (b - a)
    u = ra / h - 0.5
    if u <= 0.0 or nr < 2:
        return 0.0
    i = int(u)
    if i >= nr - 1:
        return 0.0
    return 1.0 * (floor[i + 1] - floor[i])


@nb.njit(cache=True)
def absorb_slanted(Q, void, mua, vol, h, j, k0, p, slope, sink):
    """Beer–Lambert along a ray that enters column j at row k0 and moves ``slope`` (dr/dz, outward) per unit depth.

    Each row's path, h √(1 + slope²), is absorbed in the cell the ray is in at that row's top (void cells are
    crossed); what leaves the grid's radius or bottom goes to sink[0]. slope 0: straight down the column
    (:func:`absorb_column`).
    """
    nr, nz = Q.shape
    ds = h * math.sqrt(1.0 + slope * slope)
    x = (j + 0.5) * h
    remaining = 1.0
    k = k0
    while k < nz:
        jj = int(x / h)
        if jj >= nr:
            break
        if not void[jj, k]:
            frac = remaining * (1.0 - math.exp(-mua[jj, k] * ds))
            Q[jj, k] += p * frac / vol[jj, k]
            remaining -= frac
            if remaining < 1e-14:
                break
        k += 1
        x += slope * h
    sink[0] += p * remaining


@nb.njit(cache=True)
def absorb_column(Q, void, mua, vol, h, j, k0, p, sink):
    """Beer–Lambert: absorb power p [W] entering column j at cell k0 into Q [W/m³]; what passes the bottom to sink[0]."""
    absorb_slanted(Q, void, mua, vol, h, j, k0, p, 0.0, sink)


#: Airy radius factor: the first dark ring of a focused cone of half-angle α lies at 0.61 λ / sin α.
AIRY = 0.61


@nb.njit(cache=True, inline="always")
def spread_radius(wavelength, sin_alpha, r_max, h):
    """Radius [m] over which reflected light that reaches the crater's axis is spread.

    Light the walls reflect toward the axis from every azimuth converges there; geometric optics
    puts it all in the axis column (a caustic whose depth follows the grid), diffraction gives the
    focus a width: the Airy radius 0.61 λ / sin α of a cone of half-angle α (Born & Wolf, sec. 8.5),
    at least one cell h and at most the grid's radius r_max. 0 when ``wavelength`` is 0 (geometric optics).
    """
    if wavelength <= 0.0:
        return 0.0
    airy = AIRY * wavelength / max(sin_alpha, 1e-12)
    return max(min(airy, r_max), h)


@nb.njit(cache=True)
def absorb_spread(Q, void, mua, vol, h, floor, k_hit, radius, p, sink):
    """Absorb power p [W] spread evenly over the disk of ``radius`` [m] about the axis at row ``k_hit``: each
    column from its first solid cell at or below that row (its floor inside the channel, the wall outside)."""
    nr, nz = Q.shape
    a2 = radius * radius
    for j in range(nr):
        lo = j * h
        if lo >= radius:
            break
        hi = min((j + 1) * h, radius)
        share = (hi * hi - lo * lo) / a2
        kf = max(floor[j], k_hit)
        if kf >= nz:
            sink[0] += p * share
            continue
        absorb_column(Q, void, mua, vol, h, j, kf, p * share, sink)


@nb.njit(cache=True, inline="always")
def beam_share_between(a, b, w0, gaussian):
    """Share of the beam's power whose rays leave the surface between radii a ≤ b [-]: exp(−2a²/w0²) −
    exp(−2b²/w0²) for a Gaussian (written with expm1: exact for a thin ring), (b² − a²)/w0² within a top-hat's
    radius w0."""
    w2 = w0 * w0
    if gaussian:
        return math.exp(-2.0 * a * a / w2) * -math.expm1(-2.0 * (b - a) * (b + a) / w2)
    a = min(a, w0)
    b = min(b, w0)
    return (b - a) * (b + a) / w2


@nb.njit(cache=True)
def trace_hit(H, void, floor, r, h, mua, vol, sink, index, wall_optics, wavelength, roughness, j, kf, p_in, acc):
    """Absorb power p_in [W] that meets the crater profile in column j at row kf, with its Fresnel reflections.

    The ray comes down the column (direction +z) and meets the profile at (j, kf): 1 − R(θ) is absorbed from
    there down the column — or, when it meets the profile below the column's floor (a wall struck from the side),
    along the refracted ray into the wall (:func:`absorb_slanted`) — the rest followed as :func:`deposit_beam`
    describes. Adds to acc [delivered, reflected
    out of the skin, absorbed after a wall reflection] [W]; what passes the bottom goes to sink[0].
    """
    nr, nz = H.shape
    delivered = 0.0
    out = 0.0
    redirected = 0.0
    reflecting = index.real != 1.0 or index.imag != 0.0
    # a ray that meets the profile below the column's floor enters a vertical wall at grazing incidence: Snell's
    # law bends it into the tissue at arcsin(1/n) from the wall's normal, dr/dz = √(n² − 1) (0.63 at 10.6 µm),
    # instead of straight down the wall's column
    side = kf > floor[j]
    refracted = math.sqrt(max(index.real * index.real - 1.0, 0.0)) if side and reflecting else 0.0
    p = p_in
    x = r[j]  # signed radius in the meridional plane
    z = kf * h
    dx = 0.0
    dz = 1.0
    jj = j
    node = j  # the first hit is at a column centre (central slope), later ones on a segment
    kk = kf
    bounce = 0
    ra_hit = r[j]
    while p > 0.0:
        R = 0.0
        nx = 0.0
        nzn = -1.0
        c = 0.0
        if reflecting and not wall_optics:
            a = (1.0 - fresnel(1.0, index)) * p
            absorb_slanted(H, void, mua, vol, h, jj, kk, a, refracted, sink)
            delivered += a
            out += p - a
            break
        scattered = 0.0
        if reflecting:
            fp = profile_slope(floor, abs(x), h, node)
            norm = math.sqrt(1.0 + fp * fp)
            sgn = 1.0 if x >= 0.0 else -1.0
            nx = sgn * fp / norm  # unit normal out of the tissue, into the crater
            nzn = -1.0 / norm
            c = -(dx * nx + dz * nzn)
            if c > 0.0 and bounce < MAX_BOUNCES:
                R = fresnel(min(c, 1.0), index)
                spec = R * specular_share(min(c, 1.0), roughness, wavelength)
                if kk == 0:  # the surface row: the diffuse share leaves the skin
                    scattered = (R - spec) * p
                R = spec
                if R * p <= TRACE_FLOOR * p_in:
                    R = 0.0
        out += scattered
        a = (1.0 - R) * p - scattered
        rho = spread_radius(wavelength, abs(dx), nr * h, h) if bounce > 0 else 0.0
        if ra_hit < rho:
            absorb_spread(H, void, mua, vol, h, floor, kk, rho, a, sink)
        else:  # the first entry along its refracted path (straight down from the floor), later ones down the column
            absorb_slanted(H, void, mua, vol, h, jj, kk, a, refracted if bounce == 0 else 0.0, sink)
        delivered += a
        if bounce > 0:
            redirected += a
        p -= a + scattered
        if p <= 0.0 or R == 0.0:
            break
        dx += 2.0 * c * nx  # specular reflection: d' = d − 2 (d·n) n, d·n = −c
        dz += 2.0 * c * nzn
        bounce += 1
        node = -1
        ds = 0.5 * h
        while True:
            xp = x
            zp = z
            x += dx * ds
            z += dz * ds
            ra = abs(x)
            if z < 0.0 or ra >= nr * h:  # out of the skin
                out += p
                p = 0.0
                break
            if z >= nz * h:
                sink[0] += p
                delivered += p
                p = 0.0
                break
            if z >= profile_depth(floor, ra, h):
                # the wall cell it meets: the first solid cell of its row, outward from the ray
                ra_hit = ra
                kk = min(int(z / h), nz - 1)
                jj = first_solid(void, min(int(ra / h), nr - 1), kk)
                if jj >= nr:
                    out += p
                    p = 0.0
                    break
                x = xp  # the next reflection leaves from the crater side of the profile
                z = zp
                break
    acc[0] += delivered
    acc[1] += out
    acc[2] += redirected


@nb.njit(cache=True)
def deposit_beam(
    H, void, floor, r, h, mua, power, w0, z_rayleigh, gaussian, transmission, vol, sink, index=1.0 + 0.0j,
    wall_optics=True, wavelength=0.0, roughness=0.0,
):
    """Beer–Lambert deposition of the beam below the crater profile, with Fresnel reflection at its surface and walls.

    The beam is focused on the surface (waist w0, Rayleigh range ``z_rayleigh``) and diverges below it: a
    ray leaving the surface at radius u is at u·s(z) at depth z, s = √(1 + (z/z_R)²) (the self-similar
    Gaussian beam, geometric rays of the paraxial field), until it meets the crater profile at the first solid
    cell it reaches. The rays still travelling are kept as intervals of u; at each row, the part of an interval
    that reaches a solid cell (its column's floor at or above the row) meets the profile there, and its power,
    P times the beam's share between its two ends (:func:`beam_share_between`, exact for each column's range of
    u), enters that cell (:func:`trace_hit`); the part over void cells travels on (a ring cut deeper than the
    axis keeps its own rays, which diverge onto its outer wall). Every ray inside the grid's radius is absorbed
    somewhere, so the beam is conserved whatever the crater's shape (until 2026-12-01 each column received the
    irradiance of a beam of the width at its own floor, and the light that diverged out of a deep, narrow
    crater's axis columns onto its walls was lost: 19 % of a 380 mJ, 120 µm CO2 pulse). Rays beyond 3.5 w0 of a Gaussian (< 3e-11 of its power) and
    rays that leave the grid's radius before meeting the profile are not followed (counted as not intercepted).

    Each ray crosses the ejecta down to the depth where it meets the profile: ``transmission[k]`` is the
    transmission down to row k (:func:`plume_transmission`). What the ejecta absorb goes to sink[3] (when
    sink has four slots). Its light meets the crater profile at an incidence angle set by
    the profile's slope there; the fraction 1 − R(θ) (:func:`fresnel`, tissue index
    ``index``; 1 + 0j: no reflection) is absorbed in the column from its floor down (the exact
    fraction 1 − exp(−µa dz) in each cell; a wall struck from the side, along the refracted ray,
    :func:`absorb_slanted`) and the rest is reflected specularly in the
    meridional plane and followed in steps of h/2 until it meets the profile again — there the
    first solid cell of that row outward from the ray (the wall cell at the depth it struck)
    absorbs 1 − R down its column and the rest is reflected again — leaves the skin upward, or
    passes the bottom (:mod:`mtzsim.physics.mtz.reflection`). Adds power per volume to ``H`` (the
    caller's Q). Returns the power that entered the tissue [W]; what passes the bottom goes to
    sink[0]; when sink has three slots, the power reflected out of the skin to sink[1] and the
    power absorbed after a wall reflection (part of the return value) to sink[2].

    ``wall_optics`` False: the profile's slope is ignored — each column's light meets it as at
    normal incidence, absorbs 1 − R(0°) down the column and the reflected R(0°) leaves the skin
    (the flat-surface Fresnel loss without redirection by the walls).

    ``wavelength`` > 0: a reflected ray that meets the profile within the diffraction-limited spot
    of the axis (:func:`spread_radius`, its angle to the axis from its direction) gives what it
    does not reflect to the columns of that spot evenly by area, each from its first solid cell at or
    below the row the ray reached (:func:`absorb_spread`), instead of to the one wall cell it strikes: rays from every azimuth
    converge on the axis, a geometric caustic that a 10.6 µm beam cannot focus finer than ~λ/sin α.

    ``roughness`` σ > 0 (with ``wavelength`` > 0): a rough wall reflects specularly only the share
    :func:`specular_share` of R; the diffusely scattered rest is absorbed in the struck cell's column
    where the ray meets the profile below the surface row (in a channel deeper than it is wide,
    diffuse light meets a wall again within about one channel width, at incidences where R is a few
    per cent: approximation), and leaves the skin where it meets the surface row (the half-space is
    open there).
    """
    nr, nz = H.shape
    acc = np.zeros(3)  # delivered, reflected out, redirected
    shielded = 0.0
    # the rays still travelling: intervals [lo, hi) of their radius at the surface (a non-monotone crater — a ring
    # cut deeper than the axis — leaves several); rays beyond 3.5 w0 of a Gaussian are not followed
    cap = 2 * nr + 2
    lo = np.empty(cap)
    hi = np.empty(cap)
    nlo = np.empty(cap)
    nhi = np.empty(cap)
    lo[0] = 0.0
    hi[0] = 3.5 * w0 if gaussian else w0
    n = 1
    k = 0
    while k < nz and n > 0:
        s = math.sqrt(1.0 + (k * h / z_rayleigh) ** 2)
        tr = transmission[k]
        m = 0
        for i in range(n):
            cur = lo[i]
            b = hi[i]
            jj = int(cur * s / h)
            while cur < b and jj < nr:
                edge = min(b, (jj + 1) * h / s)
                if edge > cur:
                    if floor[jj] <= k:  # the rays in [cur, edge) reach a solid cell of this row: they meet the profile
                        p = power * beam_share_between(cur, edge, w0, gaussian)
                        shielded += p * (1.0 - tr)
                        p *= tr
                        if p > 0.0:
                            trace_hit(H, void, floor, r, h, mua, vol, sink, index, wall_optics, wavelength, roughness,
                                      jj, k, p, acc)
                    elif m > 0 and nhi[m - 1] == cur:  # still in the crater: travelling on
                        nhi[m - 1] = edge
                    elif m < cap:
                        nlo[m] = cur
                        nhi[m] = edge
                        m += 1
                    cur = edge
                jj += 1
            # rays that left the grid's radius before meeting the profile are not followed (not intercepted)
        for i in range(m):
            lo[i] = nlo[i]
            hi[i] = nhi[i]
        n = m
        k += 1
    for i in range(n):  # columns ablated through the bottom of the grid: what still travels leaves through it
        p = power * beam_share_between(lo[i], hi[i], w0, gaussian)
        sink[0] += p
        acc[0] += p
    if sink.shape[0] > 2:
        sink[1] += acc[1]
        sink[2] += acc[2]
    if sink.shape[0] > 3:
        sink[3] += shielded
    return acc[0]


@nb.njit(cache=True)
def plume_transmission(floor, void, h, plume, trans):
    """Transmission of the channel's ejecta along a ray that meets the crater profile at each row [-].

    The ejecta fill the confined channel, depths [vent, d] of a crater d = floor[0]·h deep (vent:
    ``plume.vent``, or ``plume.vent_mouth`` radii of the crater's mouth now): volume fraction
    ``near`` in the dense zone [d − min(c, length), d] over the floor, ``far`` above it, c = max(d −
    vent, 0). A ray that meets the profile at row k (depth z_k = k·h, :func:`deposit_beam`) crosses them
    from the surface down to there: τ_k = mu (near · |[0, z_k] ∩ dense| + far · |[0, z_k] ∩ fast|). On the
    axis this is the whole channel; light that meets the tapering wall above the floor crosses only the
    ejecta above that depth, and light that meets the surface outside the crater's mouth (row 0) crosses
    none. Fills ``trans`` [nz].
    """
    nr = floor.shape[0]
    vent = plume.vent
    if plume.vent_mouth > 0.0:
        jm = 0
        while jm < nr and void[jm, 0]:
            jm += 1
        vent = plume.vent_mouth * jm * h  # the crater's own mouth radius
    d = floor[0] * h
    c = max(d - vent, 0.0)
    top_dense = d - min(c, plume.length)
    for k in range(trans.shape[0]):
        z = min(k * h, d)
        dense = max(z - top_dense, 0.0)
        fast = max(min(z, top_dense) - vent, 0.0)
        trans[k] = math.exp(-plume.mu * (plume.near * dense + plume.far * fast))


@nb.njit(cache=True)
def column_shares(q_static, vol):
    """Share of each cell in the absorption of its column from there down [-]: q·V / Σ_{k' ≥ k} q·V.

    Light that a drying cell no longer absorbs goes on down its column and is absorbed as the
    map's deeper cells absorb (see :func:`deposit_water_limited`); 0 where the column holds no
    more absorption (that light leaves the domain).
    """
    nr, nz = q_static.shape
    share = np.zeros((nr, nz))
    for j in range(nr):
        below = 0.0
        for k in range(nz - 1, -1, -1):
            e = q_static[j, k] * vol[j, k]
            below += e
            share[j, k] = e / below if below > 0.0 else 0.0
    return share


@nb.njit(cache=True, inline="always")
def water_left(H, H1, H2, dry):
    """Fraction of its water a cell still holds [-]: 1 below boiling, falling linearly while it boils, 0 dry."""
    if dry or H >= H2:
        return 0.0
    if H <= H1:
        return 1.0
    return (H2 - H) / (H2 - H1)


@nb.njit(cache=True)
def absorption_update(mua_eff, mua, H, H1, H2, dry, kappa, T, slope, t_ref, t_cap, jb, kb, kappa_cells):
    """Absorption coefficient [1/m] of each cell of the box [0, jb) × [0, kb) as it dries and heats.

    µa (κ + (1 − κ) w) (1 + slope (min(T, t_cap) − t_ref)). Water is the absorber at 10.6, 2.94
    and 1.55 µm (Welch et al. 1991); a desiccated matrix absorbs κ times what the wet tissue
    absorbs, a boiling cell in proportion to the water it still holds (w, :func:`water_left`);
    water's own absorption changes with its temperature T [K] (2.94 µm: Röttgers et al. 2014,
    :func:`mtzsim.physics.tissue.water_absorption_temperature`). Cells outside the box keep
    theirs (at body temperature, holding their water). ``kappa_cells`` (nr, nz): each cell's κ; an
    empty (0, 0) array: ``kappa`` everywhere.
    """
    per_cell = kappa_cells.shape[0] > 0
    for j in range(jb):
        for k in range(kb):
            w = water_left(H[j, k], H1[j, k], H2[j, k], dry[j, k])
            f = 1.0
            if slope != 0.0:
                f = max(0.0, 1.0 + slope * (min(T[j, k], t_cap) - t_ref))
            kap = kappa_cells[j, k] if per_cell else kappa
            mua_eff[j, k] = mua[j, k] * (kap + (1.0 - kap) * w) * f


@nb.njit(cache=True)
def deposit_water_limited(Q, H, void, dry, H1, H2, q_static, share, vol, power, sink, scale):
    """Deposit a scattering-beam map [W/m³ per W] where water absorbs it (1.55 µm).

    A map of wet tissue (``scale`` empty): the absorbed power per unit volume when every cell holds
    its water. At 1.55 µm the absorber is water (µa = water fraction × µa of water), so a cell
    absorbs in proportion to the water it still holds (:func:`water_left`); the power it lets
    through goes on down its column and is absorbed there as the map's deeper cells absorb
    (shares from :func:`column_shares`); what passes the column's last absorbing cell goes to
    ``sink[0]``. With all cells wet this is the map itself. The column rule misplaces that light,
    which in the tissue spreads sideways (:mod:`mtzsim.physics.mtz.source`). Returns the power
    the map carries [W] (delivered = absorbed + sink).

    A recomputed map (``scale`` (nr, nz)): what each cell would absorb at its full µa in the light
    field of the tissue as it was when the map was computed; a cell absorbs water_left × scale of
    it, and nothing is handed down (the light a cell no longer takes is left to the next map).
    Returns the power absorbed [W]. Adds to Q [W/m³].
    """
    nr, nz = Q.shape
    delivered = 0.0
    if scale.shape[0] > 0:
        absorbed = 0.0
        for j in range(nr):
            for k in range(nz):
                if void[j, k]:
                    continue
                take = power * q_static[j, k] * vol[j, k] * water_left(H[j, k], H1[j, k], H2[j, k], dry[j, k]) \
                    * scale[j, k]
                Q[j, k] += take / vol[j, k]
                absorbed += take
        return absorbed
    for j in range(nr):
        carry = 0.0  # power passing down the column, not absorbed by drier cells above [W]
        for k in range(nz):
            p_map = power * q_static[j, k] * vol[j, k]
            delivered += p_map
            if void[j, k]:
                carry += p_map
                continue
            f = water_left(H[j, k], H1[j, k], H2[j, k], dry[j, k])
            take = f * (p_map + share[j, k] * carry)
            carry += p_map - take
            Q[j, k] += take / vol[j, k]
        sink[0] += carry
    return delivered


@nb.njit(cache=True)
def plume_wall_heat(Q, void, floor0, vol, h, power):
    """Spread ``power`` [W] per unit area over the crater's lateral wall [W/m³ into Q].

    The ejecta heated by the beam in the channel stream out along the wall to the mouth
    (recoil-driven expulsion), so the wall of every row from the surface down to the floor
    on the axis takes the same heat flux; its wall cell is the first solid cell outwards.
    Returns the power placed [W] (0 if the crater has no lateral wall).
    """
    nr, nz = void.shape
    area = 0.0
    for k in range(min(floor0, nz)):
        jw = first_solid(void, 0, k)
        if jw < nr:
            area += 2.0 * math.pi * jw * h * h
    if area <= 0.0:
        return 0.0
    flux = power / area
    placed = 0.0
    for k in range(min(floor0, nz)):
        jw = first_solid(void, 0, k)
        if jw < nr:
            face = 2.0 * math.pi * jw * h * h
            Q[jw, k] += flux * face / vol[jw, k]
            placed += flux * face
    return placed


@nb.njit(cache=True)
def find_floor(void, floor):
    nr, nz = void.shape
    for j in range(nr):
        k = 0
        while k < nz and void[j, k]:
            k += 1
        floor[j] = k


@nb.njit(cache=True)
def _tridiag(a, b, c, d, x, n, cp, dp):
    """Thomas algorithm: a[i] x[i-1] + b[i] x[i] + c[i] x[i+1] = d[i]."""
    cp[0] = c[0] / b[0]
    dp[0] = d[0] / b[0]
    for i in range(1, n):
        m = b[i] - a[i] * cp[i - 1]
        cp[i] = c[i] / m
        dp[i] = (d[i] - a[i] * dp[i - 1]) / m
    x[n - 1] = dp[n - 1]
    for i in range(n - 2, -1, -1):
        x[i] = dp[i] - cp[i] * x[i + 1]


@nb.njit(cache=True, parallel=True)
def implicit_lod_step(T, void, Gr, Gz, cap, perf, t_body, t_surf, dt, fixed):
    """One locally-one-dimensional backward-Euler step (radial lines, then depth lines).

    cap = ρc·V [J/K] per cell; perf = ω_b [1/s] (Pennes, ρ_b c_b taken equal to ρc);
    cells where ``fixed`` is set keep their temperature (Dirichlet) and conduct to their
    neighbours; a solid surface cell exchanges Gz[j, 0] (T − t_surf) with the coolant.
    Lines are independent and solved in parallel. Unconditionally stable; first order in
    time. Returns (boundary loss, perfusion loss, surface loss) [J].
    """
    nr, nz = T.shape
    lost_rb = np.zeros(nz)
    lost_zb = np.zeros(nr)
    lost_pj = np.zeros(nr)
    lost_sj = np.zeros(nr)
    # radial sweep
    for k in nb.prange(nz):
        a = np.empty(nr)
        b = np.empty(nr)
        c = np.empty(nr)
        d = np.empty(nr)
        x = np.empty(nr)
        cp = np.empty(nr)
        dp = np.empty(nr)
        for j in range(nr):
            if void[j, k] or fixed[j, k]:
                a[j] = 0.0
                b[j] = 1.0
                c[j] = 0.0
                d[j] = T[j, k]
                continue
            s = dt / cap[j, k]
            gl = Gr[j, k] if (j > 0 and not void[j - 1, k]) else 0.0
            if j < nr - 1:
                gr = Gr[j + 1, k] if not void[j + 1, k] else 0.0
                gb = 0.0
            else:
                gr = 0.0
                gb = Gr[nr, k]
            a[j] = -s * gl
            c[j] = -s * gr
            b[j] = 1.0 + s * (gl + gr + gb)
            d[j] = T[j, k] + s * gb * t_body
        _tridiag(a, b, c, d, x, nr, cp, dp)
        for j in range(nr):
            T[j, k] = x[j]
        if not (void[nr - 1, k] or fixed[nr - 1, k]):
            lost_rb[k] = dt * Gr[nr, k] * (T[nr - 1, k] - t_body)
    # depth sweep with perfusion
    for j in nb.prange(nr):
        a = np.empty(nz)
        b = np.empty(nz)
        c = np.empty(nz)
        d = np.empty(nz)
        x = np.empty(nz)
        cp = np.empty(nz)
        dp = np.empty(nz)
        for k in range(nz):
            if void[j, k] or fixed[j, k]:
                a[k] = 0.0
                b[k] = 1.0
                c[k] = 0.0
                d[k] = T[j, k]
                continue
            s = dt / cap[j, k]
            gu = Gz[j, k] if (k > 0 and not void[j, k - 1]) else 0.0
            gs = Gz[j, 0] if k == 0 else 0.0
            if k < nz - 1:
                gd = Gz[j, k + 1] if not void[j, k + 1] else 0.0
                gb = 0.0
            else:
                gd = 0.0
                gb = Gz[j, nz]
            a[k] = -s * gu
            c[k] = -s * gd
            b[k] = 1.0 + s * (gu + gd + gb + gs) + dt * perf[j, k]
            d[k] = T[j, k] + s * (gb * t_body + gs * t_surf) + dt * perf[j, k] * t_body
        _tridiag(a, b, c, d, x, nz, cp, dp)
        lp = 0.0
        for k in range(nz):
            T[j, k] = x[k]
            if not (void[j, k] or fixed[j, k]):
                lp += dt * perf[j, k] * cap[j, k] * (x[k] - t_body)
        lost_pj[j] = lp
        if not (void[j, nz - 1] or fixed[j, nz - 1]):
            lost_zb[j] = dt * Gz[j, nz] * (T[j, nz - 1] - t_body)
        if not (void[j, 0] or fixed[j, 0]):
            lost_sj[j] = dt * Gz[j, 0] * (T[j, 0] - t_surf)
    return lost_rb.sum() + lost_zb.sum(), lost_pj.sum(), lost_sj.sum()


@nb.njit(cache=True, parallel=True)
def arrhenius_rates(T, void, A, EaR, t_cut, out):
    """Rates k_p(T) = A_p exp(−Ea_p/RT) [1/s] of every process in every cell (0 below t_cut[p] or in void);
    ``EaR[p]`` = Ea_p / R [K]."""
    nr, nz = T.shape
    npr = A.shape[0]
    for j in nb.prange(nr):
        for k in range(nz):
            Tc = T[j, k]
            for p in range(npr):
                if void[j, k] or Tc < t_cut[p]:
                    out[p, j, k] = 0.0
                else:
                    out[p, j, k] = A[p] * math.exp(-EaR[p] / Tc)




@nb.njit(cache=True)
def _pulse_phase(state, mat, pulse, plume, rates, steps, probes):
    """Explicit enthalpy-method time stepping while the laser fires (and between pulses).

    Returns (tally [len(TALLY)] in J and kg, number of steps, number of probe samples).
    """
    H = state.H
    void = state.void
    Omega = state.Omega
    Tmax = state.Tmax
    dry = state.dry
    H1 = mat.H1
    H2 = mat.H2
    Habl = mat.Habl
    # boiling that takes time: wet cells below the boiling enthalpy start on the superheated levels
    kinetic = plume.boil_time > 0.0
    shape = H.shape if kinetic else (0, 0)  # the per-cell state exists only when boiling takes time
    sh = np.zeros(shape, dtype=np.bool_)
    t_hot = np.full(shape, np.inf)
    if kinetic:
        H1 = mat.H1.copy()
        H2 = mat.H2.copy()
        Habl = mat.Habl.copy()
        for j in range(H.shape[0]):
            for k in range(H.shape[1]):
                if not void[j, k] and not dry[j, k] and H[j, k] < mat.H1[j, k]:
                    sh[j, k] = True
                    H1[j, k] = plume.levels[0, j, k]
                    H2[j, k] = plume.levels[1, j, k]
                    Habl[j, k] = plume.levels[2, j, k]
    rc = mat.rc
    rc_dry = mat.rc_dry
    vol = mat.vol
    h = mat.h
    t_body = mat.t_body
    t_boil = mat.t_boil
    nr, nz = H.shape
    T = np.full_like(H, t_body)
    temperatures(H, void, dry, H1, H2, rc, rc_dry, t_body, t_boil, T)  # cells outside the box keep theirs
    if kinetic:
        superheat_plateau(H, void, sh, H1, H2, plume.t_abl, T, nr, nz)
    cond = np.zeros_like(H)
    Q = np.zeros_like(H)
    floor = np.zeros(nr, dtype=np.int64)
    t_mark = np.full((nr, nz), np.inf)
    sink = np.zeros(4)
    trans = np.ones(nz)
    tally = np.zeros(11)
    current = -1  # index of the pulse firing now (-1 between pulses)
    ablating = False  # whether the pulse firing now has ejected mass
    budget = 0.0  # what the ejecta of the pulse firing now can still absorb before they are gasified [J]
    trans_cap = np.ones(nz)
    t = 0.0
    nsteps = 0
    nprobe = 0
    npulse = pulse.starts.shape[0]
    scattering = pulse.q_static.shape[0] == nr
    share = column_shares(pulse.q_static, vol) if scattering else np.zeros((0, 0))
    # a desiccating matrix absorbs less than wet tissue (κ < 1), and water's absorption may change with
    # its temperature: the cells' own absorption map, else the table's
    drying = (pulse.dry_absorption < 1.0 or pulse.mua_slope != 0.0) and not scattering
    mua = mat.mua.copy() if drying else mat.mua
    if drying:
        absorption_update(mua, mat.mua, H, H1, H2, dry, pulse.dry_absorption, T, pulse.mua_slope, pulse.mua_t_ref,
                          pulse.mua_t_cap, nr, nz, pulse.dry_cells)
    # active box [0, jb) × [0, kb): every cell outside holds H = 0 (body temperature), is
    # solid and receives no beam, so it needs no update; the box grows by one cell a step.
    # It starts around whatever a previous pulse left warm or ablated (1 × 1 on a fresh state);
    # cells outside it hold at most steps.box_floor and are frozen until it reaches them.
    jb = 1
    kb = 1
    cold = steps.box_floor
    for j in range(nr):  # a cooled surface draws heat from every surface cell: the box spans the grid's width
        if mat.Gz[j, 0] > 0.0:
            jb = nr
            break
    for j in range(nr):
        for k in range(nz):
            if abs(H[j, k]) > cold or void[j, k]:
                if j + 2 > jb:
                    jb = min(j + 2, nr)
                if k + 2 > kb:
                    kb = min(k + 2, nz)
    while t < pulse.t_end - 1e-15:
        p_now = 0.0
        t_edge = pulse.t_end
        firing = -1
        for i in range(npulse):
            a = pulse.starts[i]
            b = a + pulse.duration
            if a <= t < b:
                p_now = pulse.power
                t_edge = min(t_edge, b)
                firing = i
            elif t < a:
                t_edge = min(t_edge, a)
        if firing != current:  # a new pulse (or a pause): its channel holds no ejecta yet
            current = firing
            ablating = False
            budget = 0.0
        temperatures_box(H, void, dry, H1, H2, rc, rc_dry, t_body, t_boil, T, jb, kb)
        if kinetic:
            superheat_plateau(H, void, sh, H1, H2, plume.t_abl, T, jb, kb)
        lost, cooled = conduction_rate_box(T, void, mat.Gr, mat.Gz, t_body, mat.t_surface, cond, jb, kb)
        for j in range(jb):
            for k in range(kb):
                Q[j, k] = 0.0
        dt = 0.0
        for attempt in range(2):
            if attempt == 1:
                for j in range(jb):
                    for k in range(kb):
                        Q[j, k] = 0.0
            p_deliv = 0.0
            p_plume = 0.0
            p_wall = 0.0
            sink[0] = 0.0
            sink[1] = 0.0
            sink[2] = 0.0
            sink[3] = 0.0
            if p_now > 0.0:
                if attempt == 0:
                    find_floor(void, floor)
                if attempt == 1:
                    pass  # the floor, the absorption map and the thinned ejecta of the first pass
                elif ablating and (plume.near > 0.0 or plume.far > 0.0):
                    # condensed ejecta in the channel: accelerating (dense) near the floor, then fast
                    plume_transmission(floor, void, h, plume, trans)
                else:
                    trans[:] = 1.0
                if scattering:  # the map is one beam: the axis's path through the ejecta shields all of it
                    t_axis = trans[min(floor[0], nz - 1)]
                    p_deliv = deposit_water_limited(Q, H, void, dry, H1, H2, pulse.q_static, share, vol, p_now * t_axis,
                                                    sink, pulse.absorption_scale)
                    sink[3] = p_now * (1.0 - t_axis)
                else:
                    if drying and attempt == 0:
                        absorption_update(mua, mat.mua, H, H1, H2, dry, pulse.dry_absorption, T, pulse.mua_slope,
                                          pulse.mua_t_ref, pulse.mua_t_cap, jb, kb, pulse.dry_cells)
                    p_deliv = deposit_beam(Q, void, floor, mat.r, h, mua, p_now, pulse.w0, pulse.z_rayleigh,
                                           pulse.gaussian, trans, vol, sink, pulse.index, pulse.wall_optics,
                                           pulse.wavelength, pulse.roughness)
                for j in range(nr):
                    for k in range(nz - 1, -1, -1):
                        if Q[j, k] != 0.0:
                            if j + 1 > jb:
                                jb = j + 1
                            if k + 1 > kb:
                                kb = k + 1
                            break
                p_plume = sink[3]
                if plume.wall > 0.0 and p_plume > 0.0:
                    p_wall = plume_wall_heat(Q, void, floor[0], vol, h, plume.wall * p_plume)
                    p_plume -= p_wall
                    for j in range(nr):  # the wall heat (rows down to the floor) may lie outside the box
                        for k in range(min(nz, floor[0] + 2)):
                            if Q[j, k] != 0.0:
                                if j + 1 > jb:
                                    jb = j + 1
                                if k + 1 > kb:
                                    kb = k + 1
            # time step: stability, heating resolution, pulse edges
            qmax = 0.0
            for j in range(jb):
                for k in range(kb):
                    if Q[j, k] > 0.0:
                        v = Q[j, k] / Habl[j, k]
                        if v > qmax:
                            qmax = v
            dt = steps.dt_max
            for j in range(jb):
                for k in range(kb):
                    if not void[j, k] and (dry[j, k] or H[j, k] > H2[j, k]):
                        dt = steps.dt_max_dry  # desiccated cells hold less heat: shorter stable step
                        break
            if qmax > 0.0:
                dt = min(dt, steps.heat_step / qmax)
            dt = min(dt, t_edge - t)
            if dt <= 0.0:
                dt = 1e-12
            absorbed = p_plume + p_wall  # what the ejecta take from the beam
            if attempt == 1 or plume.capacity <= 0.0 or absorbed <= 0.0 or absorbed * dt <= budget:
                break
            # the ejecta would absorb more than they can before they are gasified: thin them to the share they can take
            scale = max(budget, 0.0) / (absorbed * dt)
            for k in range(nz):
                trans[k] = 1.0 - scale * (1.0 - trans[k])
        arrhenius_update_box(T, void, Omega, rates.A, rates.EaR, dt, rates.t_cut, jb, kb)
        perf_loss = 0.0
        for j in range(jb):
            for k in range(kb):
                if void[j, k]:
                    continue
                pl = mat.perf[j, k] * rc[j, k] * (T[j, k] - t_body)
                perf_loss += pl * vol[j, k]
                H[j, k] += dt * (Q[j, k] + cond[j, k] / vol[j, k] - pl)
                if H[j, k] > H2[j, k]:
                    dry[j, k] = True  # its water has boiled off
                if kinetic and sh[j, k]:
                    if t_hot[j, k] == np.inf:
                        if H[j, k] > mat.H1[j, k]:
                            t_hot[j, k] = t + dt  # above the boiling point from the end of this step
                    elif t + dt - t_hot[j, k] >= plume.boil_time and H[j, k] < Habl[j, k]:
                        # the superheated water flashes: the cell boils at T_boil, dries and is ejected as dry matrix
                        sh[j, k] = False
                        H1[j, k] = mat.H1[j, k]
                        H2[j, k] = mat.H2[j, k]
                        Habl[j, k] = mat.Habl[j, k]
                if T[j, k] > Tmax[j, k]:
                    Tmax[j, k] = T[j, k]
        tally[0] += dt * p_deliv
        tally[1] += dt * p_plume
        tally[2] += dt * sink[0]
        tally[4] += dt * lost
        tally[5] += dt * perf_loss
        tally[7] += dt * p_wall
        tally[8] += dt * sink[1]
        tally[9] += dt * sink[2]
        tally[10] += dt * cooled
        t += dt
        # ablation: cells past the ablation enthalpy leave after the ejection delay
        m_step = 0.0
        for j in range(jb):
            for k in range(kb):
                if void[j, k]:
                    continue
                if H[j, k] >= Habl[j, k]:
                    if t_mark[j, k] == np.inf:
                        t_mark[j, k] = t
                    if t >= t_mark[j, k] + plume.ejection_delay - 1e-15:
                        tally[3] += H[j, k] * vol[j, k]
                        m_step += mat.rho[j, k] * vol[j, k]
                        H[j, k] = 0.0
                        void[j, k] = True
        if p_now > 0.0:
            budget -= dt * (p_plume + p_wall)
        if m_step > 0.0:
            tally[6] += m_step
            if current >= 0:
                ablating = True
                budget += plume.capacity * m_step
        # heat spreads at most one cell a step: grow the box by one where its edge is warm
        grow_j = False
        grow_k = False
        for k in range(kb):
            if abs(H[jb - 1, k]) > cold or void[jb - 1, k]:
                grow_j = True
                break
        for j in range(jb):
            if abs(H[j, kb - 1]) > cold or void[j, kb - 1]:
                grow_k = True
                break
        if grow_j and jb < nr:
            jb += 1
        if grow_k and kb < nz:
            kb += 1
        nsteps += 1
        if probes.j.shape[0] > 0 and nsteps % probes.every == 0 and nprobe < probes.t.shape[0]:
            temperatures_box(H, void, dry, H1, H2, rc, rc_dry, t_body, t_boil, T, jb, kb)
            if kinetic:
                superheat_plateau(H, void, sh, H1, H2, plume.t_abl, T, jb, kb)
            probes.t[nprobe] = t
            for p in range(probes.j.shape[0]):
                probes.T[nprobe, p] = T[probes.j[p], probes.k[p]]
            nprobe += 1
    # cells past the ablation enthalpy that were still waiting for ejection leave now
    for j in range(nr):
        for k in range(nz):
            if not void[j, k] and H[j, k] >= Habl[j, k]:
                tally[3] += H[j, k] * vol[j, k]
                tally[6] += mat.rho[j, k] * vol[j, k]
                H[j, k] = 0.0
                void[j, k] = True
    # the phase ends on the material's levels: water still superheated flashes (boiling at T_boil)
    temperatures(H, void, dry, mat.H1, mat.H2, rc, rc_dry, t_body, t_boil, T)
    for j in range(nr):
        for k in range(nz):
            if not void[j, k] and T[j, k] > Tmax[j, k]:
                Tmax[j, k] = T[j, k]
    return tally, nsteps, nprobe


def make_pulse_phase():
    """The jitted pulse-phase kernel: ``pulse_phase(state, mat, pulse, plume, rates, steps, probes)``.

    Records are the namedtuples of this module (:data:`State`, :data:`Material`,
    :data:`PulseTrain`, :data:`Plume`, :data:`Rates`, :data:`Steps`, :data:`Probes`); the
    physical constants it needs travel in :data:`Material`. Advances ``state`` in place and
    returns (tally, steps, probe samples); tally slots are named in :data:`TALLY`. Its numpy
    twin is :func:`mtzsim.physics.mtz.pulse.pulse_phase_numpy`.
    """
    return _pulse_phase


# ---------------------------------------------------------------------------------------
# Between the pulses of a train: implicit (backward-Euler, locally one-dimensional) enthalpy steps
# ---------------------------------------------------------------------------------------

#: One gap between two pulses [s, s, -, s, J/m³, m²/s]: its start and end, the first step, the
#: growth of the step, the longest step; the active box's floor (cells holding no more than
#: this, |H|, and farther than the diffusion margin from warmer ones are left out of a step)
#: and the largest thermal diffusivity of the grid (sets that margin).
Gap = namedtuple("Gap", "t0 t1 dt0 growth dt_max floor alpha")
#: Margin of the gap's active box in diffusion lengths √(α dt) [-]: heat a backward-Euler step
#: carries farther than 4 diffusion lengths is below exp(−4) ≈ 2 % of the edge's (≤ floor).
GAP_BOX_MARGIN = 4.0
#: Tally slots of a gap [J, J, J, kg, J].
GAP_TALLY = ("boundary", "perfusion", "ablated", "ejected_mass", "surface")


@nb.njit(cache=True)
def _sweep_line(T, free, solid, G, Gb, cap, perf, t_body, t0, dt, n, a, b, c, d, x, cp, dp, gain, lost_b, lost_p,
                lost_s):
    """One backward-Euler line of :func:`implicit_fixed_step`; the caller copies one row in and out.

    ``T``, ``free``, ``solid``, ``cap``, ``perf`` are the line's values, ``G[i]`` the
    conductance between cells i−1 and i, ``G[0]`` that of the first cell to a medium at ``t0``
    (the coolant on the skin surface; 0 on the axis), ``Gb`` that to the far boundary
    after the last cell. A solid cell that is not free keeps its temperature; what its free
    neighbours exchange with it is added to ``gain[i]`` [J]. Returns the new line in ``x``
    and the boundary, perfusion and near-end (surface) losses [J] in lost_b[0], lost_p[0], lost_s[0].
    """
    for i in range(n):
        if not free[i]:
            a[i] = 0.0
            b[i] = 1.0
            c[i] = 0.0
            d[i] = T[i]
            continue
        s = dt / cap[i]
        gl = G[i] if (i > 0 and solid[i - 1]) else 0.0
        gr = G[i + 1] if (i < n - 1 and solid[i + 1]) else 0.0
        gb = Gb if i == n - 1 else 0.0
        gs = G[0] if i == 0 else 0.0
        a[i] = -s * gl
        c[i] = -s * gr
        b[i] = 1.0 + s * (gl + gr + gb + gs) + dt * perf[i]
        d[i] = T[i] + s * (gb * t_body + gs * t0) + dt * perf[i] * t_body
    _tridiag(a, b, c, d, x, n, cp, dp)
    for i in range(n):
        if free[i]:
            lost_p[0] += dt * perf[i] * cap[i] * (x[i] - t_body)
            if i == n - 1:
                lost_b[0] += dt * Gb * (x[i] - t_body)
            if i == 0:
                lost_s[0] += dt * G[0] * (x[i] - t0)
        elif solid[i]:
            if i == 0 and G[0] > 0.0:  # a held surface cell gives its heat to the coolant too
                gain[0] += dt * G[0] * (t0 - T[0])
                lost_s[0] += dt * G[0] * (T[0] - t0)
            if i > 0 and free[i - 1]:
                gain[i] += dt * G[i] * (x[i - 1] - T[i])
            if i < n - 1 and free[i + 1]:
                gain[i] += dt * G[i + 1] * (x[i + 1] - T[i])


@nb.njit(cache=True, parallel=True)
def implicit_fixed_step(T, void, fixed, Gr, Gz, cap, perf, t_body, t_surf, dt, gain, jb, kb):
    """One LOD backward-Euler step (radial lines, then depth lines) that tallies what fixed cells receive.

    As :func:`implicit_lod_step` (perfusion in the depth sweep, Pennes with ρ_b c_b = ρc),
    but the heat conducted into each ``fixed`` cell (held at its temperature) is added to
    ``gain`` [J], so that the caller can put it into that cell's enthalpy: energy is conserved
    to round-off. Lines are independent and solved in parallel. Only the box [0, jb) × [0, kb)
    is stepped (radial lines k < kb over cells j < jb, depth lines j < jb over k < kb); the
    caller holds (``fixed``) the cells on its far edges when the box ends inside the grid.
    The skin surface exchanges Gz[j, 0] (T − t_surf) with a coolant (Gz[:, 0] = 0: adiabatic).
    Returns (boundary loss, perfusion loss, surface loss) [J].
    """
    nr, nz = jb, kb
    lost_bk = np.zeros(nz)
    lost_bj = np.zeros(nr)
    lost_pj = np.zeros(nr)
    lost_sj = np.zeros(nr)
    for k in nb.prange(nz):
        a = np.empty(nr)
        b = np.empty(nr)
        c = np.empty(nr)
        d = np.empty(nr)
        x = np.empty(nr)
        cp = np.empty(nr)
        dp = np.empty(nr)
        line = np.empty(nr)
        fl = np.empty(nr, np.bool_)
        sl = np.empty(nr, np.bool_)
        cl = np.empty(nr)
        pl = np.zeros(nr)
        gl = np.zeros(nr)
        G = np.zeros(nr + 1)
        lb = np.zeros(1)
        lp = np.zeros(1)
        ls = np.zeros(1)
        for j in range(nr):
            line[j] = T[j, k]
            sl[j] = not void[j, k]
            fl[j] = sl[j] and not fixed[j, k]
            cl[j] = cap[j, k]
            G[j] = Gr[j, k]
        _sweep_line(line, fl, sl, G, Gr[nr, k] if nr == T.shape[0] else 0.0, cl, pl, t_body, t_body, dt, nr, a, b, c,
                    d, x, cp, dp, gl, lb, lp, ls)
        for j in range(nr):
            if fl[j]:
                T[j, k] = x[j]
            gain[j, k] += gl[j]
        lost_bk[k] = lb[0]
    for j in nb.prange(nr):
        a = np.empty(nz)
        b = np.empty(nz)
        c = np.empty(nz)
        d = np.empty(nz)
        x = np.empty(nz)
        cp = np.empty(nz)
        dp = np.empty(nz)
        line = np.empty(nz)
        fl = np.empty(nz, np.bool_)
        sl = np.empty(nz, np.bool_)
        cl = np.empty(nz)
        pl = np.empty(nz)
        gl = np.zeros(nz)
        G = np.zeros(nz + 1)
        lb = np.zeros(1)
        lp = np.zeros(1)
        ls = np.zeros(1)
        for k in range(nz):
            line[k] = T[j, k]
            sl[k] = not void[j, k]
            fl[k] = sl[k] and not fixed[j, k]
            cl[k] = cap[j, k]
            pl[k] = perf[j, k]
            G[k] = Gz[j, k]
        _sweep_line(line, fl, sl, G, Gz[j, nz] if nz == T.shape[1] else 0.0, cl, pl, t_body, t_surf, dt, nz, a, b, c,
                    d, x, cp, dp, gl, lb, lp, ls)
        for k in range(nz):
            if fl[k]:
                T[j, k] = x[k]
            gain[j, k] += gl[k]
        lost_bj[j] = lb[0]
        lost_pj[j] = lp[0]
        lost_sj[j] = ls[0]
    return lost_bk.sum() + lost_bj.sum(), lost_pj.sum(), lost_sj.sum()


@nb.njit(cache=True, parallel=True)
def _gap_phase(state, mat, gap, rates):
    """Implicit enthalpy steps through one gap of a pulse train (no light).

    Each step: temperatures from the enthalpies; cells whose water is boiling (H1 < H < H2, not
    desiccated) are held at T_boil and take what their neighbours conduct into them as latent
    heat (or give it back, recondensing); every other solid cell is advanced by one LOD
    backward-Euler step with its own heat capacity (ρc wet, ρc_dry desiccated) and its
    enthalpy changes by ρc ΔT — a wet cell driven past 100 °C starts to boil, a boiling cell
    driven below H1 cools. Arrhenius damage by the trapezoid rule on the rates; cells past the
    ablation enthalpy are ejected. Steps grow geometrically from ``gap.dt0`` to ``gap.dt_max``.

    Returns (tally [len(GAP_TALLY)] in J and kg, number of steps).
    """
    H = state.H
    void = state.void
    Omega = state.Omega
    Tmax = state.Tmax
    dry = state.dry
    nr, nz = H.shape
    T = np.empty_like(H)
    gain = np.zeros_like(H)
    cap = np.empty_like(H)
    fixed = np.zeros((nr, nz), np.bool_)
    npr = rates.A.shape[0]
    rate = np.zeros((npr, nr, nz))  # rates at the start of the step (0 below each cutoff)
    t_min = rates.t_cut[0]
    for p in range(npr):
        t_min = min(t_min, rates.t_cut[p])
    tally = np.zeros(5)
    cooled = False  # a cooled surface draws heat from every surface cell: the box spans the grid's width
    for j in range(nr):
        if mat.Gz[j, 0] > 0.0:
            cooled = True
    temperatures(H, void, dry, mat.H1, mat.H2, mat.rc, mat.rc_dry, mat.t_body, mat.t_boil, T)
    arrhenius_rates(T, void, rates.A, rates.EaR, rates.t_cut, rate)
    hot = T >= t_min
    lp_fixed = np.zeros(nr)
    ablated = np.zeros(nr)
    ejected = np.zeros(nr)
    t = gap.t0
    dt = gap.dt0
    nsteps = 0
    while t < gap.t1 - 1e-15:
        dt = min(dt, gap.t1 - t)
        # active box: the warm (|H| > floor) or ablated cells and a margin of GAP_BOX_MARGIN
        # diffusion lengths; the cells just beyond it (its rim) are held at their temperature
        # and take what the box conducts into them (energy conserved); the rest is left alone
        jw = 0
        kw = 0
        for j in range(nr):
            for k in range(nz):
                if abs(H[j, k]) > gap.floor or void[j, k]:
                    if j + 1 > jw:
                        jw = j + 1
                    if k + 1 > kw:
                        kw = k + 1
        if cooled:
            jw = nr
            kw = max(kw, 1)
        m = int(math.ceil(GAP_BOX_MARGIN * math.sqrt(gap.alpha * dt) / mat.h)) + 1
        jb = min(jw + m, nr)
        kb = min(kw + m, nz)
        jr = min(jb + 1, nr)  # rows and columns the step touches: the box and its rim
        kr = min(kb + 1, nz)
        for j in nb.prange(jr):
            for k in range(kr):
                gain[j, k] = 0.0
                wet = not dry[j, k] and H[j, k] <= mat.H2[j, k]
                rim = j == jb or k == kb
                fixed[j, k] = (not void[j, k]) and (rim or (wet and mat.H1[j, k] < H[j, k]))
                cap[j, k] = (mat.rc[j, k] if wet else mat.rc_dry[j, k]) * mat.vol[j, k]
        lb, lp, ls = implicit_fixed_step(T, void, fixed, mat.Gr, mat.Gz, cap, mat.perf, mat.t_body, mat.t_surface, dt,
                                         gain, jr, kr)
        for j in nb.prange(jr):
            lp_fixed[j] = 0.0
            ablated[j] = 0.0
            ejected[j] = 0.0
            for k in range(kr):
                if void[j, k]:
                    continue
                H1 = mat.H1[j, k]
                H2 = mat.H2[j, k]
                rc = mat.rc[j, k]
                rcd = mat.rc_dry[j, k]
                if fixed[j, k] and (j == jb or k == kb):  # rim: what the box gave it (perfusion left out)
                    H[j, k] += gain[j, k] / mat.vol[j, k]
                elif fixed[j, k]:
                    pl = dt * mat.perf[j, k] * rc * (mat.t_boil - mat.t_body)
                    lp_fixed[j] += pl * mat.vol[j, k]
                    H[j, k] += gain[j, k] / mat.vol[j, k] - pl
                else:
                    told = _temperature(H[j, k], H1, H2, rc, rcd, mat.t_body, mat.t_boil, dry[j, k])
                    H[j, k] += cap[j, k] / mat.vol[j, k] * (T[j, k] - told)
                if H[j, k] > H2:
                    dry[j, k] = True
                Tc = _temperature(H[j, k], H1, H2, rc, rcd, mat.t_body, mat.t_boil, dry[j, k])
                T[j, k] = Tc
                # Arrhenius: trapezoid on the rates at the step's start and end
                now_hot = Tc >= t_min
                if now_hot or hot[j, k]:
                    inv = 1.0 / Tc
                    for p in range(npr):
                        rn = rates.A[p] * math.exp(-rates.EaR[p] * inv) if Tc >= rates.t_cut[p] else 0.0
                        Omega[p, j, k] += 0.5 * dt * (rate[p, j, k] + rn)
                        rate[p, j, k] = rn
                hot[j, k] = now_hot
                if H[j, k] >= mat.Habl[j, k]:
                    ablated[j] += H[j, k] * mat.vol[j, k]
                    ejected[j] += mat.rho[j, k] * mat.vol[j, k]
                    H[j, k] = 0.0
                    void[j, k] = True
                    T[j, k] = mat.t_body
                elif Tc > Tmax[j, k]:
                    Tmax[j, k] = Tc
        tally[0] += lb
        tally[1] += lp + lp_fixed[:jr].sum()
        tally[2] += ablated[:jr].sum()
        tally[3] += ejected[:jr].sum()
        tally[4] += ls
        t += dt
        nsteps += 1
        dt = min(dt * gap.growth, gap.dt_max)
    return tally, nsteps


def make_gap_phase():
    """The jitted gap kernel: ``gap_phase(state, mat, gap, rates) -> (tally, steps)``.

    Records: :data:`State`, :data:`Material`, :data:`Gap`, :data:`Rates`; advances ``state``
    in place through one gap of a pulse train with implicit (unconditionally stable) steps.
    Tally slots are named in :data:`GAP_TALLY`. Its numpy twin is
    :func:`mtzsim.physics.mtz.pulse.gap_phase_numpy`.
    """
    return _gap_phase
