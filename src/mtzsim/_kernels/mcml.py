"""MCML-style photon-packet transport in layered tissue, scored on a cylindrical (r, z) grid (numba).

The readable twin is :func:`mtzsim.physics.montecarlo.photon_transport_numpy`; a test holds the
two equal photon by photon (same random stream, same result).

Algorithm (Wang, Jacques & Zheng 1995, MCML): photon packets of weight 1 enter through the
surface (specular Fresnel loss removed from the weight), take exponentially distributed steps
``s = -ln(ξ)/µt``, deposit ``w µa/µt`` at each interaction, scatter by the Henyey–Greenstein
phase function, meet layer boundaries with Fresnel reflection (all-or-none by a random number,
MCML's default) or refraction by Snell's law, and end by escaping or by Russian roulette
(threshold 1e-4, survival 1/10). Random numbers: splitmix64 (Steele, Lea & Flood 2014), one
independent stream per batch; batches are fixed in number, so results do not depend on the
number of threads.

Cell-wise absorption: an optional factor f(r, z) in [0, 1] on the scoring grid scales the layer's
µa in each cell (a heated or drying column absorbs less at 1.55 µm). It is exact by Woodcock (delta)
tracking: steps are drawn with the layer's full µt, and an interaction in a cell with f < 1 is real
with probability (f µa + µs) / µt, where it deposits w f µa / (f µa + µs) and scatters. Otherwise it
is a null collision and the packet flies on unchanged (Woodcock et al. 1965). Where f = 1 no number
is drawn, so a map of ones gives the same bits as no map. With a factor the kernel also scores, at
every collision in the grid (real or null), w µa / µt with the layer's own µa: the collision
estimator of µa Φ, what each cell would absorb at its layer's full µa in the light field of the
scaled tissue (``unscaled``; equal to ``absorbed`` where f = 1).

References
----------
.. [1] L. Wang, S. L. Jacques, L. Zheng, "MCML — Monte Carlo modeling of light transport in
   multi-layered tissues", Comput. Methods Programs Biomed. 47, 131–146 (1995).
   doi:10.1016/0169-2607(95)01640-F
.. [2] G. L. Steele, D. Lea, C. H. Flood, "Fast splittable pseudorandom number generators",
   OOPSLA 2014. doi:10.1145/2714064.2660195
.. [3] E. R. Woodcock, T. Murphy, P. J. Hemmings, T. C. Longworth, "Techniques used in the GEM
   code for Monte Carlo neutronics calculations in reactors and other systems of complex
   geometry", Proc. Conf. Applications of Computing Methods to Reactor Problems, ANL-7050 (1965).
"""

from __future__ import annotations

import math

import numba
import numpy as np

#: Roulette threshold weight and survival chance (MCML's WEIGHT and CHANCE).
ROULETTE_WEIGHT = 1e-4
ROULETTE_CHANCE = 0.1
#: MCML's COSZERO: directions closer than this to ±z are treated as exactly along z.
COSZERO = 1.0 - 1.0e-12

#: Columns of the layer table: top and bottom depth [m], µa, µs [1/m], g [-], n [-].
LAYER_COLUMNS = ("z_top", "z_bottom", "mua", "mus", "g", "n")
#: Entries of the source record: waist 1/e² radius [m], waist depth [m], 1/e² half-angle [rad],
#: profile (0 Gaussian, 1 top-hat), refractive index above and below the stack, and the roulette
#: threshold weight for packets outside the scoring grid (MCML's 1e-4 everywhere when equal to
#: :data:`ROULETTE_WEIGHT`; larger values end packets that wander outside the grid sooner —
#: roulette is unbiased for any threshold, so only the variance changes).
SOURCE_FIELDS = ("waist_radius", "waist_depth", "half_angle", "profile", "n_above", "n_below", "outside_weight")
#: Tallies per batch: specular reflectance, diffuse reflectance, transmittance, absorbed (all),
#: weight created (+) or lost (−) by roulette.
TALLY_FIELDS = ("specular", "diffuse_reflectance", "transmittance", "absorbed", "roulette")

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_TWO_POW_M53 = 1.0 / 9007199254740992.0


@numba.njit(cache=True)
def _uniform(state):
    """Next uniform number in (0, 1) of the splitmix64 stream held in ``state[0]``."""
    state[0] += _GOLDEN
    z = state[0]
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    z = z ^ (z >> np.uint64(31))
    return (float(z >> np.uint64(11)) + 0.5) * _TWO_POW_M53


@numba.njit(cache=True)
def _fresnel(n1, n2, cos1):
    """Unpolarised Fresnel reflectance from medium n1 into n2 at incidence cosine cos1 (≥ 0)."""
    if n1 == n2:
        return 0.0
    if cos1 > COSZERO:
        r = (n1 - n2) / (n1 + n2)
        return r * r
    sin1 = math.sqrt(max(0.0, 1.0 - cos1 * cos1))
    sin2 = n1 * sin1 / n2
    if sin2 >= 1.0:
        return 1.0
    cos2 = math.sqrt(1.0 - sin2 * sin2)
    rs = (n1 * cos1 - n2 * cos2) / (n1 * cos1 + n2 * cos2)
    rp = (n1 * cos2 - n2 * cos1) / (n1 * cos2 + n2 * cos1)
    return 0.5 * (rs * rs + rp * rp)


@numba.njit(cache=True)
def _bin(edges, value, uniform_step):
    """Index i with edges[i] <= value < edges[i+1], or -1 outside (division when uniform_step > 0)."""
    n = edges.size - 1
    if value < edges[0] or value >= edges[n]:
        return -1
    if uniform_step > 0.0:
        i = int((value - edges[0]) / uniform_step)
        # guard the rounding of the division at a cell edge
        if i >= n:
            i = n - 1
        if value < edges[i]:
            i -= 1
        elif value >= edges[i + 1]:
            i += 1
        return i
    return np.searchsorted(edges, value, side="right") - 1


@numba.njit(cache=True)
def _trace_photon(state, layers, source, r_edges, z_edges, dr, dz, factor, absorbed, layer_absorbed, tally,
                  unscaled):
    """Launch one packet and follow it to its end, adding to ``absorbed`` [weight] and ``tally``.

    ``factor`` (nr, nz): cell-wise scale of the layer's µa in [0, 1] (delta tracking), or an empty (0, 0) array;
    with a factor, ``unscaled`` (nr, nz) takes the collision estimator of the full-µa absorption.
    """
    n_layers = layers.shape[0]
    w0, z_focus, half_angle, profile, n_above, n_below, outside_weight = (
        source[0], source[1], source[2], source[3], source[4], source[5], source[6])
    # --- launch: one ray of the Gaussian beam (position and slope independent at the waist)
    u = _uniform(state)
    phi = 2.0 * math.pi * _uniform(state)
    if profile == 0.0:
        rho = w0 * math.sqrt(-0.5 * math.log(u))
    else:
        rho = w0 * math.sqrt(u)
    x0 = rho * math.cos(phi)
    y0 = rho * math.sin(phi)
    u = _uniform(state)
    psi = 2.0 * math.pi * _uniform(state)
    slope = half_angle * math.sqrt(-0.5 * math.log(u))
    sx = slope * math.cos(psi)
    sy = slope * math.sin(psi)
    x = x0 - sx * z_focus
    y = y0 - sy * z_focus
    z = 0.0
    norm = math.sqrt(1.0 + sx * sx + sy * sy)
    ux = sx / norm
    uy = sy / norm
    uz = 1.0 / norm
    # specular loss at the surface, for the air-side ray that refracts into this direction
    n1 = layers[0, 5]
    sin_in = n1 * math.sqrt(max(0.0, 1.0 - uz * uz)) / n_above
    if sin_in >= 1.0:
        r_spec = 1.0
    else:
        r_spec = _fresnel(n_above, n1, math.sqrt(1.0 - sin_in * sin_in))
    tally[0] += r_spec
    w = 1.0 - r_spec
    layer = 0
    s_left = 0.0
    scaled = factor.shape[0] > 0
    while w > 0.0:
        z_top = layers[layer, 0]
        z_bot = layers[layer, 1]
        mua = layers[layer, 2]
        mus = layers[layer, 3]
        g = layers[layer, 4]
        n_here = layers[layer, 5]
        mut = mua + mus
        if s_left == 0.0:
            s_left = -math.log(_uniform(state))
        if uz > 0.0:
            d_boundary = (z_bot - z) / uz
        elif uz < 0.0:
            d_boundary = (z_top - z) / uz
        else:
            d_boundary = math.inf
        step = s_left / mut if mut > 0.0 else math.inf
        if step >= d_boundary and d_boundary < math.inf:
            # --- move to the boundary, then reflect or cross it
            x += ux * d_boundary
            y += uy * d_boundary
            z = z_bot if uz > 0.0 else z_top
            if mut > 0.0:
                s_left -= d_boundary * mut
            going_down = uz > 0.0
            nxt = layer + 1 if going_down else layer - 1
            if nxt < 0:
                n_next = n_above
            elif nxt >= n_layers:
                n_next = n_below
            else:
                n_next = layers[nxt, 5]
            cos_i = abs(uz)
            r = _fresnel(n_here, n_next, cos_i)
            if _uniform(state) <= r:
                uz = -uz
            elif nxt < 0:
                tally[1] += w
                w = 0.0
            elif nxt >= n_layers:
                tally[2] += w
                w = 0.0
            else:
                ratio = n_here / n_next
                ux *= ratio
                uy *= ratio
                cos_t = math.sqrt(max(0.0, 1.0 - ratio * ratio * (1.0 - cos_i * cos_i)))
                uz = cos_t if going_down else -cos_t
                layer = nxt
            continue
        if math.isinf(step):
            # nothing to interact with and no boundary ahead: the packet leaves sideways
            tally[2] += w
            w = 0.0
            continue
        # --- free flight, then absorb part of the weight
        x += ux * step
        y += uy * step
        z += uz * step
        s_left = 0.0
        ir = _bin(r_edges, math.sqrt(x * x + y * y), dr)
        iz = _bin(z_edges, z, dz)
        inside = ir >= 0 and iz >= 0
        if inside and scaled:
            unscaled[ir, iz] += w * mua / mut
        if inside and scaled and factor[ir, iz] < 1.0:
            mua_here = factor[ir, iz] * mua
            if _uniform(state) * mut > mua_here + mus:
                continue  # a null collision: the packet flies on unchanged
            dw = w * mua_here / (mua_here + mus)
        else:
            dw = w * mua / mut
        w -= dw
        tally[3] += dw
        layer_absorbed[layer] += dw
        if inside:
            absorbed[ir, iz] += dw
        if w <= 0.0:
            break
        # --- Henyey–Greenstein scattering (MCML's Spin)
        xi = _uniform(state)
        if g != 0.0:
            tmp = (1.0 - g * g) / (1.0 - g + 2.0 * g * xi)
            cos_t = (1.0 + g * g - tmp * tmp) / (2.0 * g)
            cos_t = min(1.0, max(-1.0, cos_t))
        else:
            cos_t = 2.0 * xi - 1.0
        sin_t = math.sqrt(1.0 - cos_t * cos_t)
        phi = 2.0 * math.pi * _uniform(state)
        cos_p = math.cos(phi)
        sin_p = math.sin(phi)
        if abs(uz) > COSZERO:
            ux = sin_t * cos_p
            uy = sin_t * sin_p
            uz = cos_t if uz >= 0.0 else -cos_t
        else:
            tmp = math.sqrt(1.0 - uz * uz)
            nux = sin_t * (ux * uz * cos_p - uy * sin_p) / tmp + ux * cos_t
            nuy = sin_t * (uy * uz * cos_p + ux * sin_p) / tmp + uy * cos_t
            nuz = -sin_t * cos_p * tmp + uz * cos_t
            ux, uy, uz = nux, nuy, nuz
        # --- Russian roulette
        if w < (ROULETTE_WEIGHT if inside else outside_weight):
            if _uniform(state) <= ROULETTE_CHANCE:
                tally[4] += w / ROULETTE_CHANCE - w
                w /= ROULETTE_CHANCE
            else:
                tally[4] -= w
                w = 0.0


@numba.njit(cache=True)
def _uniform_step(edges):
    """The common cell width if the edges are evenly spaced (to 1e-9 relative), else 0."""
    n = edges.size - 1
    h = (edges[n] - edges[0]) / n
    for i in range(n):
        if abs(edges[i + 1] - edges[i] - h) > 1e-9 * h:
            return 0.0
    return h


@numba.njit(parallel=True, cache=True)
def _run_batches(layers, source, seeds, photons_per_batch, r_edges, z_edges, factor):
    n_batches = seeds.size
    absorbed = np.zeros((n_batches, r_edges.size - 1, z_edges.size - 1))
    scaled = factor.shape[0] > 0
    unscaled = np.zeros((n_batches, r_edges.size - 1 if scaled else 0, z_edges.size - 1 if scaled else 0))
    layer_absorbed = np.zeros((n_batches, layers.shape[0]))
    tally = np.zeros((n_batches, 5))
    dr = _uniform_step(r_edges)
    dz = _uniform_step(z_edges)
    for b in numba.prange(n_batches):
        state = np.empty(1, dtype=np.uint64)
        state[0] = seeds[b]
        for _ in range(photons_per_batch):
            _trace_photon(state, layers, source, r_edges, z_edges, dr, dz, factor, absorbed[b], layer_absorbed[b],
                          tally[b], unscaled[b])
    return absorbed, layer_absorbed, tally, unscaled


def make_mcml_kernel(r_edges: np.ndarray, z_edges: np.ndarray):
    """Return ``run(layers, source, seeds, photons_per_batch)`` closed over the scoring grid.

    The compiled loop itself takes the grid as arrays (compiled once, cached on disk by
    numba), so a new grid costs no new compilation.

    Parameters
    ----------
    r_edges, z_edges : ndarray
        Cell edges of the cylindrical scoring grid [m], increasing, starting at r = 0 and z ≥ 0.

    Returns
    -------
    run : callable
        ``run(layers, source, seeds, photons_per_batch, factor=None) -> (absorbed, layer_absorbed, tally)``:
        ``layers`` (L, 6) as :data:`LAYER_COLUMNS`; ``source`` (6,) as :data:`SOURCE_FIELDS`; ``factor``
        (nr, nz), optional: the cell-wise scale of µa in [0, 1] (module docstring), with which ``run``
        also returns ``unscaled`` (B, nr, nz), the collision estimator of the full-µa absorption;
        ``seeds`` (B,) uint64 initial splitmix64 states, one batch each. Returns per batch:
        ``absorbed`` (B, nr, nz) packet weight absorbed in each cell, ``layer_absorbed`` (B, L),
        ``tally`` (B, 5) as :data:`TALLY_FIELDS`; all in units of launched packets.
    """
    r_edges = np.ascontiguousarray(r_edges, dtype=np.float64)
    z_edges = np.ascontiguousarray(z_edges, dtype=np.float64)

    def run(layers, source, seeds, photons_per_batch, factor=None):
        f = np.zeros((0, 0)) if factor is None else np.ascontiguousarray(factor, dtype=np.float64)
        out = _run_batches(np.ascontiguousarray(layers, dtype=np.float64),
                           np.ascontiguousarray(source, dtype=np.float64),
                           np.ascontiguousarray(seeds, dtype=np.uint64), int(photons_per_batch), r_edges, z_edges, f)
        return out if factor is not None else out[:3]

    return run


def batch_seeds(seed: int, n_batches: int) -> np.ndarray:
    """Initial splitmix64 states of ``n_batches`` streams derived from one user seed.

    Each state is a splitmix64 output of (seed, batch index), so neighbouring batches start
    far apart in the generator's period.
    """
    mask = (1 << 64) - 1
    out = np.empty(n_batches, dtype=np.uint64)
    for b in range(n_batches):
        z = (int(seed) * 0x100000001B3 + (b + 1) * 0x9E3779B97F4A7C15) & mask
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        out[b] = z ^ (z >> 31)
    return out
