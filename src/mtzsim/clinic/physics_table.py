"""Physics table: each modality's wound geometry and healing downtime over its device settings grid.

The planner and the modality comparison never run a table of outcomes: they run the physics —
:func:`mtzsim.physics.mtz.simulate_mtz` for the lasers (10.6, 2.94 and 1.55 µm, fractional and
scanned full-field), :func:`mtzsim.physics.needles.simulate_microneedling` and
:func:`mtzsim.physics.rf.simulate_mnrf` for the needles — once per *physics node* (the settings
that change the physics of one wound: pulse energy and spot; needle length and RF energy per
pin) and the healing stage (:func:`mtzsim.biology.healing.simulate_healing`, closure surrogate)
on synthetic wound maps at a few basal-layer coverages. Density, passes, sessions and interval
do not change one wound's physics: the biology scales with them analytically (volume per skin
area ∝ wounds per area; downtime interpolated linearly in coverage between the healing nodes,
error measured in ``benchmarks/bench_planner.py`` and held by a test). Stacked pulses change one wound: a
fractional laser's stack (pulses fired on the same microbeam spot, :data:`STACK_DELAY` apart; a decision
variable within the device preset's stack range) and a full-field pass, which lands on the skin the pass
before it ablated, so a full-field node's passes are stacked pulses of one wound (:data:`PASS_DELAY` apart)
that deepen it instead of adding wounds beside it (:func:`node_stack`).

The table is stored in the result cache (:mod:`mtzsim.pipeline.cache`) under a key of the model
version (package, data tables, physics code), the grid and the treated site, so it is built once
per calibration, model version and site.

Site: every facial site maps to the same tissue ("face": cheek stratum corneum over the
face-and-body epidermis and dermis, ``params/data/site_tissue.csv``; the project has no
site-specific layer thickness), so one wound's physics is the same on the cheek, forehead or
temple and is simulated once (cached per node, shared between sites). The healing differs: its
adnexal sources (follicle and eccrine densities, ``params/data/healing_sites.csv``: forehead 439
follicles/cm² against 250 on the cheek) set re-epithelialisation, so the healing nodes are run per
site (:func:`planner_sites`).
"""

from __future__ import annotations

import math
import types
import warnings
from dataclasses import dataclass, field, replace

import numpy as np

from mtzsim.pipeline.contract import quantity

from mtzsim.constants import DAY  # noqa: E402  [s]
from mtzsim.params.presets import PULSE_REGIMES  # noqa: E402

#: Modalities in the order reports show them.
MODALITIES = ("co2_fractional", "co2_full_field", "eryag_fractional", "eryag_full_field", "erglass_nonablative",
              "microneedling", "microneedle_rf")
#: Full-field modalities: one wide spot covers the area (coverage 1), no islands between wounds.
FULL_FIELD = ("co2_full_field", "eryag_full_field")

#: Basal-layer coverages at which the healing stage is run for each physics node [-]
#: (downtime is interpolated linearly in between; clamped outside). The last, 1, is a confluent wound (no island
#: left: :func:`heal_node` closes it from the adnexa alone), which a fractional session reaches when the heat its
#: scan adds up kills the islands between the columns (:func:`heat_killed`); 0.95 keeps the interpolation
#: toward it short. Until 2026-12-01 the nodes ended at 0.85 and the table never heard of a scan's heat.
COVERAGE_NODES = (0.03, 0.1, 0.25, 0.5, 0.85, 0.95, 1.0)
#: Healing map: pixels per side and pixel size [m] (4 mm field; 10 µm resolves a 100 µm wound). Until 2026-12-01
#: 120 pixels (1.2 mm) at one seed: the wounds a small map happens to draw moved a node's downtime by up to 24 %
#: between seeds (1.55 µm at 50 % coverage: 8.8–11.3 d over four seeds; fractional CO2 at 25 %: 5.7–6.8 d), on
#: 400 pixels by 2–10 % (10.0–10.2 d; 6.1–6.7 d). A surrogate healing run of a 400-pixel map takes ~0.05 s.
HEALING_MAP = (400, 10e-6)
#: Seeds of the wound maps a node's healing is averaged over (the expected downtime over where the wounds fall).
#: The maps place the columns at random (Poisson disks whose union covers the coverage), where a scanner's pass
#: fires a lattice. Measured 2026-12-02 against a hexagonal lattice of the same open area at a random offset (these
#: seeds): downtime 4.90 / 7.59 / 14.19 d random against 4.90 / 7.36 / 13.56 d lattice for the 20 mJ CO2 preset's
#: 180 µm wound at 10 / 25 / 40 %, 5.08 / 9.95 / 22.21 against 5.05 / 9.70 / 21.74 d for 80 mJ at 10 / 20 / 40 %,
#: 0.97 / 1.57 / 6.77 against 0.97 / 1.47 / 6.52 d for the 1.55 µm 15 mJ wound: within 6.4 %, the 95 % closure
#: within 0.13 d (tests/test_physics_table.py). A session of several passes overlays lattices at offsets no source
#: gives; it was not measured.
HEALING_SEEDS = (0, 1, 2)
#: Healing map of a full-field wound: 400 pixels of 10 µm (4 mm, the healing calibration's full-field
#: reference). A full-field wound closes from the adnexa inside it, and 1.2 mm holds too few of them: a
#: 175 µm full-field CO2 wound closed (95 %) in 11.9 / 7.5 / 7.9 d over three seeds on 120 pixels, in
#: 7.28 / 7.26 / 7.21 d on 400 and 7.20 / 7.43 / 7.54 d on 600 (erythema 55.9 / 40.7 / 43.1 d against
#: 41.4 / 41.5 / 41.7 d; 2026-12-01). Until then the comparator's and the planner's full-field nodes used the
#: 1.2 mm map at seed 0, its slowest draw.
FULL_FIELD_MAP = (400, 10e-6)
#: What a cached laser wound holds beyond the MTZ's zone extents (part of its cache key).
WOUND_KEYS = ("basal_radius", "pulse_duration")
#: Fractional lasers: their wounds are columns with untreated islands between them, which the heat of the scan can
#: kill (:func:`heat_killed`). Full-field passes are confluent by design; needle channels deposit no laser heat.
FRACTIONAL_LASERS = ("co2_fractional", "eryag_fractional", "erglass_nonablative")
#: Points of the field engine's sample of a session's basal layer (:func:`mtzsim.physics.field.sample_field`):
#: standard error ≤ 0.5/√3000 ≈ 0.9 % of area.
SCAN_POINTS = 3000
#: Hand-off age of the sample's field engine [s] (the age from which a firing's heat joins the spectral
#: background). A numerical split, not physics: the result should not depend on it, and 0.2 s needs a background
#: 4–8 times coarser than the engine's default 50 ms. Measured 2026-12-01 on a 1 cm tile (default → 0.2 s, dead
#: basal-layer fraction, 4000 points): CO2 40 mJ 25 % × 3 97.2 → 96.5 %, CO2 80 mJ 10 % × 2 66.6 → 66.5 %,
#: 1.55 µm 15 mJ 10 % × 2 83.9 → 83.6 %, CO2 20 mJ 10 % 23.2 → 23.4 %, Er:YAG 10 mJ 20 % × 2 20.2 → 20.2 %,
#: CO2 100 mJ on 1000 µm 10 % 10.8 → 9.5 % (13 columns); 0.85 s → 0.39 s for the CO2 80 mJ case.
SCAN_HANDOFF_AGE = 0.2
#: Read-out step of the sample's background while firings are handed off [s] (the engine's default is τ_c/4 =
#: 0.05 s). Measured 2026-12-01 (heat-killed islands, 3000 points; default → 0.1 s): 1.55 µm 10 mJ 20 % × 3
#: 76.2 → 76.1 %, 15 mJ 10 % × 2 13.9 → 13.8 %, CO2 80 mJ 20 % × 3 54.5 → 53.8 % (4.4 → 2.8 s), 40 mJ 25 % × 2
#: 42.0 → 42.3 %, 20 mJ 10 % 1.3 → 1.2 %; 0.2 s moves them by up to 2.6 points. 0.1 → 0.15 s over every (density,
#: passes) of CO2 80 mJ and 1.55 µm 10 mJ (30 sessions): at most 1.0 point, 23 % faster (the default test run's
#: full table must fit in its 10 minutes on 2 cores).
SCAN_BACKGROUND_STEP = 0.15
#: Margin of the sample's background box, in diffusion lengths of the whole run (the engine's default is 4; the
#: box's insulating walls return heat weighted by about exp(−L²/(α t)), 2e-2 at 2, before perfusion takes its
#: share). Measured 2026-12-01 (4 → 2.5 → 2): heat-killed islands and bulk temperature equal to 0.25 points and
#: 0.01 K on seven settings (CO2 40 mJ 20 % × 3, 80 mJ 25 % × 2, 160 mJ 15 %; 1.55 µm 15 mJ 10 % × 2, 10 mJ
#: 20 % × 1 and × 3; Er:YAG 40 mJ 30 % × 3), in less than half the time for the dense CO2 sessions (5.9 → 2.7 →
#: 2.5 s).
SCAN_BOX_DIFFUSION_LENGTHS = 2.0
#: Pause between two passes of a fractional session over the same skin [s] (:func:`scan_of`). Assumption: a
#: clinician's pass goes over a cosmetic unit before it comes back (at the engine's 250 Hz, a 10 % pass of 140 µm
#: columns over a 25 cm² cheek takes 65 s), and multi-pass protocols exist to let the skin cool between passes.
#: No source in the package data gives it. Passes fired back to back (the field engine's default) kill the islands
#: of sessions that heal as fractional wounds in the clinic: the 1.55 µm preset (15 mJ, 10 % × 2) then opens
#: 82.6 % of the basal layer (18 d downtime), 14.5 % of the islands' heat-killed with 60 s between passes, 16.8 %
#: with 30 s (2026-12-01). The Arrhenius damage of the passes still adds up at each point.
SCAN_PASS_DELAY = 60.0
#: Time between two full-field passes over the same skin [s], the stack delay of a full-field node
#: (:func:`node_stack`). Assumption: a pass over a treated area takes tens of seconds or more, and by 1 s the
#: ≤ 200 µm deep wound of a pass has relaxed thermally (d²/α ≈ 0.3 s at 200 µm), so 1 s stands for "later".
#: Measured 2026-12-01 (two 1.5 J passes of 6 mm Er:YAG spots): 0.1 s and 1 s give the same 95 µm crater and
#: lethal depths of 105 and 100 µm.
PASS_DELAY = 1.0
#: Time between stacked pulses on one microbeam spot [s]: the engine's default stack delay
#: (:func:`mtzsim.physics.laser.make_beam`; assumption: no source in the package data gives a device's stacking
#: rate; the delay is ≪ the 0.1–1 s a ≥ 100 µm deep column needs to cool, so the stacked pulses add heat).
STACK_DELAY = 1e-3
#: Pulse of the full-field CO2 comparator's wide spots [s]. Resurfacing lasers keep the tissue dwell under the
#: thermal relaxation time of the CO2-absorbing layer, about 1 ms (SkinDiseaseCare: "tissue dwell times shorter than
#: the thermal relaxation time ... (about 1 ms)"; ArchDermatol1996: < 1 ms for the 20–30 µm water-containing layer;
#: ../shared/data/ablation.csv); 1 ms, the end of that bound, is the assumption (no full-field device's pulse is in the
#: package data; the device preset ``fullfield-co2-10600nm`` carries it in params/data/pulse_regimes.csv, 0.25–1 ms).
#: Until 2026-12-02 the spots fired at the fractional CO2 default of 30 W: 10–33 ms pulses at
#: 0.42 kW/cm² mean irradiance, a CW-like exposure in Walsh 1989's char regime (< 6 kW/cm²) that no resurfacing
#: laser uses. Measured at the comparison's preset, 0.6 J (FST V, deep boxcar and rolling, 2026-12-02): lethal depth
#: 175 → 150 µm, downtime 41.5 → 40.0 d, improvement 29.3 → 27.3 %, PIH 76.6 → 76.4 %, closure 7.25 d unchanged.
FULL_FIELD_CO2_DEVICE = "fullfield-co2-10600nm"
FULL_FIELD_CO2_PULSE = PULSE_REGIMES[FULL_FIELD_CO2_DEVICE].value
#: Modalities whose grid stacks pulses on one microbeam spot (their device presets carry a stack range).
STACKABLE = ("co2_fractional", "eryag_fractional")
#: Shortest erythema passed on [s]: the healing stage's time step (0.05 d); it reports 0 for
#: redness that fades within one step, and the PIH logistic is in log erythema duration.
ERYTHEMA_FLOOR = 0.05 * DAY


@dataclass(frozen=True)
class ModalityGrid:
    """Decision variables of one modality and the device ranges they come from (SI).

    ``energies`` are per pulse (lasers) or per pin (RF); ``densities`` are the spot-area
    fraction per pass (lasers) or ignored for needles (their pins per area are the device's);
    ``lengths`` are needle lengths; ``stacks`` are pulses stacked on one microbeam spot (fractional lasers);
    ``other_spots`` are (spot, energies) pairs of another tip of the same device class beside ``spot`` and
    ``energies`` (the fractional CO2 1000 µm tip); ``pulse_duration`` is the laser's pulse where the grid fixes one
    (None: the laser's default regime, :func:`mtzsim.physics.laser.make_beam`).
    """

    modality: str
    title: str
    laser: str | None
    energies: tuple = ()
    spot: float | None = None
    lengths: tuple = ()
    densities: tuple = (None,)
    passes: tuple = (1,)
    stacks: tuple = (1,)
    other_spots: tuple = ()
    intervals: tuple = (28 * DAY,)
    max_sessions: int = 6
    device: str = ""
    source: str = ""
    assumption: str = ""
    max_session_density: float | None = None
    pulse_duration: float | None = None

    def session_combos(self) -> list[tuple]:
        """(density, passes) of the sessions the grid offers: every pair whose spot-area fraction per session,
        density × passes, stays within :attr:`max_session_density` (None: no bound)."""
        cap = self.max_session_density
        return [(d, p) for d in self.densities for p in self.passes
                if cap is None or d is None or d * p <= cap * (1.0 + 1e-9)]

    def spot_energies(self) -> list[tuple]:
        """(spot, energies) of each tip of a laser grid: the preset's first, then :attr:`other_spots`."""
        return [(self.spot, tuple(self.energies))] + [(s, tuple(es)) for s, es in self.other_spots]

    def physics_nodes(self) -> list[tuple]:
        """(energy, length, stack, spot) whose physics is simulated (stack: :func:`node_stack`; spot None for
        the needles)."""
        if self.laser is not None:
            stacks = sorted({node_stack(self.modality, p, s) for p in self.passes for s in self.stacks})
            return [(e, None, s, sp) for sp, es in self.spot_energies() for e in es for s in stacks]
        if self.energies:
            return [(e, l, 1, None) for l in self.lengths for e in self.energies]
        return [(None, l, 1, None) for l in self.lengths]

    def settings_nodes(self) -> list[tuple]:
        """The distinct (energy, length, spot) settings of :meth:`physics_nodes`, in order."""
        return list(dict.fromkeys((e, l, sp) for e, l, _, sp in self.physics_nodes()))


def node_stack(modality: str, passes: int, stack: int = 1) -> int:
    """Pulses stacked in one wound: a full-field modality's ``passes``, which land on the same skin one after
    another (:data:`PASS_DELAY`); a fractional laser's ``stack`` on one microbeam spot (:data:`STACK_DELAY`; its
    passes add wounds beside each other); 1 for the needles."""
    if modality in FULL_FIELD:
        return int(passes)
    return int(stack) if modality in STACKABLE else 1


def stack_delay(modality: str) -> float:
    """Time between the stacked pulses of one node of ``modality`` [s]."""
    return PASS_DELAY if modality in FULL_FIELD else STACK_DELAY


_MJ, _UM, _MM, _WK = 1e-3, 1e-6, 1e-3, 7 * DAY


#: Most MTZs per skin area in one 1.55 µm session [1/m²]: 2,000 per cm², the high-density arm of Chan 2007 (the most
#: any source in the data gives for this device class; the second-generation study's 35–40 mJ sessions held 640–1,110
#: per cm², params/data/comparators_calibration.csv) and a clinician's "approximately 2000 microthermal zones (MTZs) per
#: square centimeter" for the Fraxel handpiece (RealSelfFraxelPasses, weak). Until 2026-12-01 the planner's grid went to
#: 40 % × 3 passes of the 140 µm spot, 7,800 per cm², and its best 1.55 µm course (40 mJ, 40 % × 3) lay there.
ERGLASS_MAX_MTZ_PER_AREA = 2000e4


def modality_grids(size: str = "full") -> dict[str, ModalityGrid]:
    """The settings grid of every modality, bounded by its device preset's ranges.

    Parameters
    ----------
    size : {"full", "small"}
        ``"small"`` keeps two physics nodes per modality (tests); ``"full"`` is the planner's.
    """
    from mtzsim.params.presets import DEVICES

    full = size == "full"
    if size not in ("full", "small"):
        raise ValueError(f"size must be 'full' or 'small', got {size!r}")
    co2 = DEVICES["deep-fractional-co2-120um"]
    co2w = DEVICES["superficial-fractional-co2-1000um"]
    er = DEVICES["fractional-eryag-2940nm"]
    ff = DEVICES["fullfield-eryag-2940nm"]
    ffc = DEVICES[FULL_FIELD_CO2_DEVICE]
    gl = DEVICES["nonablative-fractional-1550nm"]
    gl_spot = 140 * _UM  # the 1.55 µm preset's spot (ERGLASS_MAX_MTZ_PER_AREA is per area of skin, the grid per spot area)

    def pick(values, keep):
        return tuple(values) if full else tuple(values[i] for i in keep)

    grids = {
        "co2_fractional": ModalityGrid(
            "co2_fractional", "fractional CO2 (10.6 µm)", "co2",
            energies=pick((5 * _MJ, 10 * _MJ, 20 * _MJ, 40 * _MJ, 80 * _MJ, 160 * _MJ), (1, 4)), spot=120 * _UM,
            densities=pick((0.05, 0.10, 0.15, 0.20, 0.25), (1, 3)), passes=(1, 2, 3),
            stacks=pick(tuple(range(int(co2.ranges["stack"].low), int(co2.ranges["stack"].high) + 1)), (0,)),
            other_spots=((1000 * _UM, (co2w.ranges["energy"].low, 100 * _MJ, co2w.ranges["energy"].high)),) if full
            else (),  # the superficial preset's 1000 µm tip, its sweep's ends and its 100 mJ default
            intervals=(4 * _WK, 6 * _WK), max_session_density=co2.ranges["density"].high,
            device=co2.name + "; " + co2w.name,
            source=co2.ranges["energy"].source + "; " + co2.ranges["density"].source + "; "
            + co2w.ranges["energy"].source,
            assumption="two tips: the 120 µm preset (5–160 mJ) and the 1000 µm superficial preset (60, 100, 220 mJ: "
            "its eCO2SpotSize sweep's ends and its default); stacks 1–3 pulses 1 ms apart (the presets' stack "
            "range, an assumption; the engine's default delay); " + co2.ranges["density"].assumption
            + "; a session's spot coverage (density × passes) stays within that range, its passes spreading it"),
        "co2_full_field": ModalityGrid(
            "co2_full_field", "full-field CO2 (scanned 3 mm spots, 100 % coverage)", "co2",
            energies=pick((ffc.ranges["energy"].low, 0.6, ffc.ranges["energy"].high), (0, 2)), spot=3e-3,
            densities=(1.0,), passes=(1,), pulse_duration=FULL_FIELD_CO2_PULSE,
            intervals=(12 * _WK,), max_sessions=2, device=ffc.name,
            source="CO2vsErYAG (full-field single-pass CO2 arm, outcome data only)",
            assumption="a full-field resurfacing pass is modelled as adjacent 3 mm Gaussian spots at 100 % coverage, "
            "0.3–1 J each (≤ 1 J, the engine's per-pulse limit; 4–14 J/cm² mean fluence) in 1 ms pulses (the thermal "
            "relaxation bound resurfacing lasers keep to, FULL_FIELD_CO2_PULSE): the data give no device "
            "settings for the full-field arms; one pass; ≥ 12 weeks between sessions (assumption)"),
        "eryag_fractional": ModalityGrid(
            "eryag_fractional", "fractional Er:YAG (2.94 µm)", "eryag",
            energies=pick((2.5 * _MJ, 5 * _MJ, 10 * _MJ, 20 * _MJ, 40 * _MJ), (1, 3)), spot=250 * _UM,
            densities=pick((0.05, 0.10, 0.20, 0.30), (1, 2)), passes=(1, 2, 3), stacks=pick((1, 3), (0,)),
            intervals=(4 * _WK,), device=er.name, source=er.source, max_session_density=er.ranges["density"].high,
            assumption=er.ranges["energy"].assumption + "; spot 250 µm; stacks 1 and 3 pulses 1 ms apart (inside the "
            "preset's 1–10, an assumption); a session's spot coverage (density × passes) stays within the preset's "
            "density range"),
        "eryag_full_field": ModalityGrid(
            "eryag_full_field", "full-field Er:YAG (6 mm spots, 100 % coverage)", "eryag",
            energies=pick((0.4, 0.8, 1.5), (0, 2)), spot=6e-3, densities=(1.0,), passes=(1, 2),
            intervals=(4 * _WK,), max_sessions=4, device=ff.name,
            source=ff.ranges["energy"].source + "; " + ff.ranges["spot"].source,
            assumption="6 mm Gaussian spots side by side at 100 % coverage, 0.4–1.5 J each (the preset's range: "
            "ErYAGminimal2008's minimally ablative 400 mJ to Kaufmann & Hibst 1996's 1.5 J); the Er:YAG default "
            "250 µs pulse (the preset's 300 µs); 1–2 passes; sessions 4 weeks apart (ErYAGminimal2008: two "
            "sessions a month apart), at most 4 (assumption)"),
        "erglass_nonablative": ModalityGrid(
            "erglass_nonablative", "non-ablative fractional 1.55 µm", "erglass",
            energies=pick((5 * _MJ, 10 * _MJ, 15 * _MJ, 20 * _MJ, 40 * _MJ), (1, 2)), spot=gl_spot,
            densities=pick((0.05, 0.10, 0.20, 0.30), (1, 3)), passes=(1, 2, 3, 4), intervals=(4 * _WK,),
            max_session_density=ERGLASS_MAX_MTZ_PER_AREA * math.pi * gl_spot**2 / 4,
            device=gl.name, source=gl.ranges["energy"].source + "; Chan2007 and RealSelfFraxelPasses (MTZs per session, "
            "passes)", assumption=gl.assumption + "; a session holds at most 2,000 MTZ/cm² (Chan2007's high-density "
            "arm; 'approximately 2000 microthermal zones per square centimeter', RealSelfFraxelPasses), delivered in "
            "1–4 passes ('most users will do 4 passes', the same weak source)"),
        "microneedling": ModalityGrid(
            "microneedling", "microneedling (stamp/pen)", None,
            lengths=pick((0.5 * _MM, 1.0 * _MM, 1.5 * _MM, 2.0 * _MM, 2.5 * _MM), (1, 3)), passes=(1, 2, 4, 8),
            intervals=(2 * _WK, 4 * _WK), device="stamp_microneedle_human",
            source="Donnelly2011 (needle_devices.csv); Alam2014 (2-week intervals)",
            assumption="length range 0.25–2.5 mm of the preset (itself an assumption); passes 1–8 (stamps per area): "
            "assumption, pens and rollers go over an area several times"),
        "microneedle_rf": ModalityGrid(
            "microneedle_rf", "microneedle RF (insulated, bipolar)", None,
            energies=pick((20 * _MJ, 40 * _MJ), (0, 1)), lengths=pick((0.8 * _MM, 1.5 * _MM, 2.5 * _MM), (0, 1)),
            passes=(1, 2), intervals=(4 * _WK, 6 * _WK), device="mnrf_insulated_49",
            source="needle_devices.csv (Wootten2020; Manuskiatti2016); Chandrashekar2014 (6-week intervals)",
            assumption="energy per pin 20–40 mJ: the preset's 20 mJ (least that coagulates) to twice it, an "
            "assumption; lengths inside the preset's 0.5–3.5 mm"),
    }
    return grids


@dataclass(frozen=True)
class PhysicsNode:
    """One simulated wound of a modality and its healing over the coverage nodes (SI)."""

    modality: str = quantity("", "modality", kind="category")
    energy: float | None = quantity("J", "pulse energy (lasers) or RF energy per pin", display="mJ")
    length: float | None = quantity("m", "needle length", display="mm")
    wound: dict = quantity("", "one wound's geometry: MTZ zone extents or channel/coagulation volumes [SI]",
                           kind="table")
    coverage_nodes: tuple = quantity("1", "basal-layer coverages of the healing runs", kind="array")
    downtime: tuple = quantity("s", "downtime at each coverage node (healing stage)", kind="array", display="d")
    erythema: tuple = quantity("s", "erythema duration at each coverage node", kind="array", display="d")
    reepithelialization: tuple = quantity("s", "95 % re-epithelialisation at each coverage node", kind="array",
                                          display="d")
    site: str = quantity("", "treated site of the healing runs", kind="category", default="cheek")
    stack: int = quantity("1", "pulses stacked in the wound (a fractional stack, or full-field passes)", kind="count",
                          default=1)
    heat_killed: dict = quantity("1", "fraction of the basal layer the isolated columns leave alive that the session's "
                                 "scan kills with its added heat, per (density, passes) (:func:`heat_killed`)",
                                 kind="table", default_factory=dict)

    def open_basal(self, coverage: float, density=None, passes: int = 1, *, cache=None) -> float:
        """Open basal layer [-] of a session: the isolated wounds' ``coverage`` (:func:`mtzsim.clinic.comparators.dose`)
        plus the islands the scan's heat kills, 1 − (1 − coverage)(1 − k) with k from :attr:`heat_killed` (computed
        and cached for a density and passes the table did not hold). Other modalities: ``coverage``."""
        if self.modality not in FRACTIONAL_LASERS or "laser" not in self.wound:
            return float(coverage)
        k = self.heat_killed.get(combo(density, passes))
        if k is None:
            k = heat_killed(self.modality, self.wound, [(density, passes)], cache=cache)[combo(density, passes)]
        return 1.0 - (1.0 - float(coverage)) * (1.0 - k)

    def healing_at(self, coverage: float) -> tuple[float, float]:
        """(downtime, erythema) [s] at a basal coverage, linear between the nodes, clamped outside."""
        c = float(np.clip(coverage, self.coverage_nodes[0], self.coverage_nodes[-1]))
        return (float(np.interp(c, self.coverage_nodes, self.downtime)),
                float(np.interp(c, self.coverage_nodes, self.erythema)))

    def closure_at(self, coverage: float) -> float:
        """95 % re-epithelialisation [s] at a basal coverage, linear between the nodes, clamped outside."""
        c = float(np.clip(coverage, self.coverage_nodes[0], self.coverage_nodes[-1]))
        return float(np.interp(c, self.coverage_nodes, self.reepithelialization))


@dataclass(frozen=True)
class PhysicsTable:
    """Physics nodes of the modalities, keyed by (modality, energy, length, stack, spot)."""

    nodes: dict = quantity("", "PhysicsNode per (modality, energy, length, stack, spot)", kind="table")
    size: str = quantity("", "grid size: full or small", kind="category")
    model_version: str = quantity("", "model version the table was built with", kind="category")
    build_seconds: float = quantity("s", "wall time of the build")
    grids: dict = field(default=None, repr=False, metadata={"unit": "", "doc": "the settings grids", "kind": "table"})
    site: str = quantity("", "treated site of the healing runs", kind="category", default="cheek")

    def node(self, modality: str, energy, length, passes: int = 1, stack: int = 1, spot=None) -> PhysicsNode:
        """The node of a setting; ``passes`` (full field) or ``stack`` (fractional) pick its stack
        (:func:`node_stack`); ``spot`` a laser's tip (default the grid's first)."""
        if spot is None:
            spot = self.grids[modality].spot
        return self.nodes[(modality, _k(energy), _k(length), node_stack(modality, passes, stack), _k(spot))]


def _k(x):
    return None if x is None else round(float(x), 12)


# ---------------------------------------------------------------------------------------------
# One wound per modality
# ---------------------------------------------------------------------------------------------


def laser_wound(laser: str, energy: float, spot: float, stack: int = 1, delay: float = STACK_DELAY,
                pulse_duration: float | None = None, *, mtz=None) -> dict:
    """One MTZ's zone extents (SI) from :func:`mtzsim.physics.mtz.simulate_mtz`.

    ``stack`` pulses land on the same spot ``delay`` apart (:func:`stack_delay`: a fractional stack, or the passes
    of a full-field treatment); ``pulse_duration`` None is the laser's default regime
    (:func:`mtzsim.physics.laser.make_beam`: 30 W for CO2).

    ``basal_radius`` is the radius of the dead cells (ablated, coagulated or lethal) at the basal layer
    (:func:`basal_depth`), the open wound the healing stage closes, as the chain reads a field's wounds
    (:func:`mtzsim.biology.healing.wound_map_from_field`); ``lethal_radius`` is the widest at any depth.
    ``mtz``: the :func:`mtzsim.physics.mtz.simulate_mtz` result of this wound's beam when the caller has it (not
    simulated again).
    """
    from mtzsim.physics.mtz import simulate_mtz

    m = mtz if mtz is not None else simulate_mtz(wound_beam(
        {"laser": laser, "energy": energy, "spot": spot, "stack": stack, "stack_delay": delay,
         "pulse_duration": pulse_duration}))
    keys = ("ablation_depth", "ablation_diameter", "coagulation_depth", "lethal_depth", "lethal_radius",
            "heat_shock_depth", "heat_shock_radius")
    out = {k: float(getattr(m, k)) for k in keys}
    out.update(laser=laser, energy=float(energy), spot=float(spot), stack=int(stack), stack_delay=float(delay),
               basal_radius=dead_radius_at(m, basal_depth()),
               pulse_duration=None if pulse_duration is None else float(pulse_duration))
    return out


def wound_beam(wound: dict):
    """The beam of a laser wound (:func:`laser_wound`'s keys)."""
    from mtzsim.physics.laser import make_beam

    return make_beam(wound["laser"], energy=wound["energy"], spot_diameter=wound["spot"], stack=int(wound["stack"]),
                     stack_delay=float(wound["stack_delay"]), pulse_duration=wound.get("pulse_duration"))


def combo(density, passes) -> tuple:
    """Key of a session's (density, passes) in :attr:`PhysicsNode.heat_killed`."""
    return (round(float(density), 9), int(passes))


def scan_of(wound: dict, density: float, passes: int):
    """The scan a fractional session is taken to be fired with: the field engine's default tile and rate
    (:class:`mtzsim.physics.pattern.PatternSpec`: a 1 cm × 1 cm tile, hexagonal lattice fired in random order at
    250 Hz) at the session's density, passes and spot, its passes :data:`SCAN_PASS_DELAY` apart. These are
    assumptions, not a device's (no source in the package data gives a scanner's tile or pause between passes):
    a slower scanner, a longer pause or surface cooling leaves the islands cooler; a smaller tile fired as
    fast, or passes back to back, leaves them hotter. The one scanner rate in the sources is 300 Hz (a Deep FX
    fractional CO2 scanner, OniDeepFXDoublePulse; Yuan 2014's CO2 settings are Deep FX's too); fired at 300 Hz
    instead of 250 Hz, the heat-killed islands (3000 points, 2026-12-02) read 1.2 against 1.3 % (CO2 20 mJ,
    10 %), 57.6 against 56.3 % (CO2 80 mJ, 20 % × 3), 12.0 against 11.9 % (1.55 µm 15 mJ, 10 % × 2) and 77.6
    against 73.7 % (1.55 µm 10 mJ, 20 % × 3)."""
    from mtzsim.physics.pattern import PatternSpec

    return PatternSpec(density=float(density), passes=int(passes), pass_delay=SCAN_PASS_DELAY,
                       spot_diameter=float(wound["spot"]), allow_overlap=True)


def heat_killed(modality: str, wound: dict, combos, *, cache=None) -> dict:
    """Fraction of the basal layer that the isolated columns leave alive and the session's scan kills, per
    (density, passes) in ``combos``.

    The field engine (:func:`mtzsim.physics.field.sample_field`: each firing's tabulated rise superposed with the
    exact Pennes background of the handed-off heat, Arrhenius damage on the sum) fires the session's scan
    (:func:`scan_of`) and samples :data:`SCAN_POINTS` points of the basal layer (:func:`basal_depth`); k is the
    dead fraction of the points farther than the column's own dead radius at the basal layer (``basal_radius``)
    from every site: the islands that the columns' added heat kills. The table's own coverage keeps its Poisson
    placement of isolated wounds (:func:`mtzsim.clinic.comparators.dose`); :meth:`PhysicsNode.open_basal` adds k
    to it. 0 for a modality outside :data:`FRACTIONAL_LASERS`. Cached in the result cache under the model version.
    """
    return heat_killed_many([(modality, wound, combos)], cache=cache, workers=1)[0]


def _in_workers(fn, args, workers):
    """``fn(*a)`` for each tuple ``a`` of ``args``, in order, as an iterator: in ``workers`` spawned processes (None:
    one per core; 1, or a single job, runs them here). Spawned, not forked: numba's OpenMP layer refuses a fork. A
    spawned worker re-imports the caller's main module, so a script that asks for workers needs the
    ``if __name__ == "__main__":`` guard."""
    import multiprocessing
    import os
    from concurrent.futures import ProcessPoolExecutor

    args = list(args)
    n = max(1, min(len(args), workers or os.cpu_count() or 1))
    if n == 1:
        yield from (fn(*a) for a in args)
        return
    with ProcessPoolExecutor(n, mp_context=multiprocessing.get_context("spawn")) as pool:
        yield from pool.map(fn, *zip(*args))


def heat_killed_many(jobs, *, cache=None, workers: int | None = 1, progress=None) -> list[dict]:
    """:func:`heat_killed` of (modality, wound, combos) ``jobs``: the cached values from ``cache`` (default
    :func:`mtzsim.pipeline.cache.default_cache`, ``False`` for none), the others computed in ``workers`` spawned
    processes (None: one per core; 1 runs them here). ``progress(fraction, detail)`` after each computed job."""
    from mtzsim.pipeline.cache import default_cache

    c = default_cache() if cache is None else (cache or None)
    out, missing = [], []
    for i, (modality, wound, combos) in enumerate(jobs):
        keys = [combo(d, p) for d, p in combos]
        if modality not in FRACTIONAL_LASERS or "laser" not in wound:
            out.append({k: 0.0 for k in keys})
            continue
        hits = {k: (c.get(_heat_key(wound, k))[0] if c is not None else None) for k in keys}
        out.append({k: float(v) for k, v in hits.items() if v is not None})
        todo = [k for k in keys if hits[k] is None]
        if todo:
            missing.append((i, todo))

    results = _in_workers(_sample_heat, [(jobs[i][1], todo) for i, todo in missing], workers)
    for j, (res, (i, _)) in enumerate(zip(results, missing)):  # the workers' iterator first: it ends the pool
        out[i].update(res)
        if c is not None:
            for k, v in res.items():
                c.put(_heat_key(jobs[i][1], k), v)
        if progress is not None:
            progress((j + 1) / len(missing), jobs[i][0])
    return out


def _heat_key(wound: dict, k: tuple) -> str:
    from mtzsim.pipeline.cache import canonical_hash, model_version

    geometry = tuple(sorted((key, v) for key, v in wound.items() if not isinstance(v, dict)))
    return "scanheat-" + canonical_hash(("scanheat", model_version(), geometry, k, SCAN_POINTS, SCAN_HANDOFF_AGE,
                                         SCAN_BACKGROUND_STEP, SCAN_BOX_DIFFUSION_LENGTHS, repr(scan_of(wound, *k)),
                                         basal_depth()))[:40]


def _sample_heat(wound: dict, keys, mtz=None) -> dict:
    """:func:`heat_killed` of one laser wound at the (density, passes) ``keys``, computed (no cache); ``mtz`` its
    beam's :func:`mtzsim.physics.mtz.simulate_mtz` result when the caller has it (not simulated again).

    A session at least as dense and with at least as many passes as one whose sample found every island dead heats
    the same tile at the same power per area (the scanner's rate) for at least as long: its islands die too (k = 1,
    not sampled).
    """
    from mtzsim.physics.field import sample_field
    from mtzsim.physics.mtz import simulate_mtz

    m = mtz if mtz is not None else simulate_mtz(wound_beam(wound))
    out = {}
    for k in sorted(keys):
        if any(v >= 1.0 and k[0] >= d and k[1] >= p for (d, p), v in out.items()):
            out[tuple(k)] = 1.0
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the sample reports what it finds; the plan states the scan
            s = sample_field(m, scan_of(wound, *k), basal_depth(), n_points=SCAN_POINTS,
                             handoff_age=SCAN_HANDOFF_AGE, background_step=SCAN_BACKGROUND_STEP,
                             footprint_radius=float(wound["basal_radius"]),
                             box_diffusion_lengths=SCAN_BOX_DIFFUSION_LENGTHS)
        # no sampled point outside the columns' own footprints: the scan leaves no island of its own, and the
        # random placement's few islands are as hot as the tissue around them (dead where all is dead)
        out[tuple(k)] = float(s.heat_killed_fraction) if math.isfinite(s.heat_killed_fraction) else \
            float(s.dead_fraction)
    return out


def dead_radius_at(mtz, depth: float) -> float:
    """Radius [m] of the outer face of the outermost dead cell (ablated, coagulated or lethal) in the MTZ's
    row nearest ``depth``; 0 if none."""
    from mtzsim.physics.damage import ZONES
    from mtzsim.physics.histology import widest

    ds = mtz.dataset
    k = int(np.argmin(np.abs(np.asarray(ds["z"].values, float) - depth)))
    return widest(np.asarray(ds["zone"].values)[:, k:k + 1] >= ZONES["lethal"], float(ds.attrs["cell_m"]))


def needle_wound(length: float) -> dict:
    """One microneedle channel (SI) from :func:`mtzsim.physics.needles.simulate_microneedling`.

    A mechanical channel deposits no heat: its energy and its thermally injured basal-layer
    diameter (the PIH driver, :mod:`mtzsim.clinic.risk`) are 0.
    """
    from mtzsim.physics.needles import load_devices, simulate_microneedling

    dev = load_devices()["stamp_microneedle_human"]
    n = dev.needle.with_length(length)
    r = simulate_microneedling(n, 1, field_size=1e-3, pixel_size=10e-6)
    return {"depth": r.channel_depth, "surface_diameter": r.channel_diameter, "basal_diameter": r.basal_diameter,
            "volume": r.channel_volume, "coag_volume": 0.0, "pins_per_area": n.pins_per_area,
            "energy": 0.0, "thermal_basal_diameter": 0.0, "length": float(length)}


def mnrf_wound(length: float, energy: float) -> dict:
    """One MNRF pin: channel plus coagulation at the tip (SI), from :func:`mtzsim.physics.rf.simulate_mnrf`.

    ``thermal_basal_diameter`` is the equal-area diameter of the pin's coagulated basal layer
    (0 when the insulated shaft spares the epidermis): the PIH driver of :mod:`mtzsim.clinic.risk`.
    """
    from mtzsim.physics.needles import load_devices
    from mtzsim.physics.rf import RFSettings, simulate_mnrf

    dev = load_devices()["mnrf_insulated_49"]
    n = dev.needle.with_length(length)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # above-boiling note: stated in the comparison's limits
        r = simulate_mnrf(n, RFSettings(energy, dev.conduction_time, dev.frequency))
    ch_vol = r.channel_volume_per_area / n.pins_per_area
    return {"depth": max(r.coag_depth_max, n.length * n.penetration_ratio),
            "surface_diameter": max(n.diameter, r.coag_width), "basal_diameter": 2 * r.basal_footprint_radius,
            "volume": ch_vol, "coag_volume": r.coag_volume_per_pin, "pins_per_area": n.pins_per_area,
            "energy": float(energy), "thermal_basal_diameter": 2 * r.basal_coag_radius, "length": float(length),
            "epidermis_peak_temperature": r.epidermis_peak_temperature}


def wound_of(modality: str, grid: ModalityGrid, energy, length, stack: int = 1,
             pulse_duration: float | None = None) -> dict:
    """The physics of one node of a modality (``stack``: :func:`node_stack`; ``pulse_duration``: a laser's own
    pulse, None for the grid's, :attr:`ModalityGrid.pulse_duration`)."""
    if grid.laser is not None:
        pulse = grid.pulse_duration if pulse_duration is None else pulse_duration
        return laser_wound(grid.laser, energy, grid.spot, stack, stack_delay(modality), pulse)
    if pulse_duration is not None:
        raise ValueError(f"pulse_duration: {modality} has no laser pulse")
    if modality == "microneedling":
        return needle_wound(length)
    return mnrf_wound(length, energy)


def basal_depth() -> float:
    """Depth of the basal layer of the comparators' tissue, the face's dermo-epidermal junction [m]."""
    from mtzsim.physics.tissue import get_tissue

    return float(get_tissue("face").dermis_top)


def reaches_basal_layer(wound: dict) -> bool:
    """Whether a laser wound ablates, coagulates or kills cells down to the basal layer (:func:`basal_depth`)."""
    return wound_depth_of(wound) >= basal_depth()


def basal_wound_diameter(modality: str, wound: dict) -> float:
    """Diameter of one wound at the basal layer [m] (the healing stage's open disk).

    A full-field wound opens the whole spot when it reaches the basal layer, nothing when it stops above
    it (a superficial wound: the basal layer lives under its ablated surface). A microbeam opens the disk of
    its dead cells at the basal layer (``basal_radius``; until 2026-12-01 the widest dead radius at any depth
    or the crater's mouth, which counted the rim of a shallow Er:YAG crater above a living basal layer as
    open: 420 µm for 180 µm at 10 mJ on 250 µm).
    """
    if "laser" in wound:
        if modality in FULL_FIELD:
            return float(wound["spot"]) if reaches_basal_layer(wound) else 0.0
        return 2.0 * float(wound["basal_radius"])
    return max(wound["basal_diameter"], 1e-6)


def wound_depth_of(wound: dict) -> float:
    """Deepest ablated, coagulated or killed tissue of one wound [m]."""
    if "laser" in wound:
        ds = [wound[k] for k in ("ablation_depth", "coagulation_depth", "lethal_depth") if math.isfinite(wound[k])]
        return max(ds) if ds else 0.0
    return wound["depth"]


def volume_equivalent_depth(modality: str, wound: dict) -> float:
    """Damaged volume of one wound over its basal-layer disk [m].

    The healing stage's synthetic map sets the damaged thickness (its erythema drive) to
    coverage × depth; a needle channel is a narrow cone and an MTZ a paraboloid, so the depth
    that carries the wound's own damaged volume is passed, not its deepest point.
    """
    from mtzsim.clinic.parameters import table

    d = basal_wound_diameter(modality, wound)
    area = math.pi * d**2 / 4
    if "laser" in wound:
        if modality in FULL_FIELD:
            return wound_depth_of(wound)
        shape = table("remodeling_parameters.csv")["zone_shape_factor"].value
        if area == 0.0:  # a superficial wound: no basal disk; its crust, not its redness, is modelled
            return 0.0
        # the paraboloid of the widest dead radius (clinic/stimulus.py) over the disk open at the basal layer
        r_w = max(wound["lethal_radius"] if math.isfinite(wound["lethal_radius"]) else 0.0,
                  0.5 * wound["ablation_diameter"])
        return shape * wound_depth_of(wound) * math.pi * r_w**2 / area
    return (wound["volume"] + wound["coag_volume"]) / area


def regime_of(modality: str, wound: dict | None = None) -> str:
    """Healing regime: fractional ablative, full-field ablative, superficial (given its ``wound``: an ablative
    wound that stops above the basal layer) or non-ablative (epidermis not opened)."""
    if modality in FULL_FIELD:
        return "full_field" if wound is None or reaches_basal_layer(wound) else "superficial"
    regime = {"co2_fractional": "fractional", "eryag_fractional": "fractional"}.get(modality, "non_ablative")
    if regime == "fractional" and wound is not None and basal_wound_diameter(modality, wound) == 0.0:
        return "superficial"
    return regime


def planner_sites() -> tuple[str, ...]:
    """Sites the physics table can be built for: facial sites (tissue "face") with healing data."""
    from mtzsim.biology import healing_parameters as hp
    from mtzsim.params.presets import SITE_TISSUES

    return tuple(s for s in hp.sites() if s in SITE_TISSUES and SITE_TISSUES[s].tissue == "face")


def check_site(site: str) -> str:
    """``site`` if the physics table can be built for it, else ValueError naming the field."""
    sites = planner_sites()
    if site not in sites:
        raise ValueError(f"site: the physics table is built for facial sites with healing data "
                         f"({', '.join(sites)}), got {site!r}")
    return site


def heal_node(modality: str, wound: dict, coverage: float, *, site: str = "cheek", seed: int | None = None):
    """Healing-stage downtime, erythema and 95 % closure [s] of one wound type at a basal coverage on ``site``.

    The mean over the wound maps of :data:`HEALING_SEEDS`, or the map of one ``seed``.
    """
    if seed is None:
        runs = np.array([heal_node(modality, wound, coverage, site=site, seed=s) for s in HEALING_SEEDS])
        return tuple(float(v) for v in runs.mean(axis=0))
    from mtzsim.biology.healing import simulate_healing, synthetic_wound_map

    n, px = HEALING_MAP
    regime = regime_of(modality, wound)
    d = basal_wound_diameter(modality, wound)
    depth = max(volume_equivalent_depth(modality, wound), 1e-6)
    if regime == "superficial":  # nothing to close: the healing map's size does not matter
        wm = synthetic_wound_map((n, n), px, regime="superficial", wound_depth=depth, seed=seed)
    elif regime == "full_field":
        n, px = FULL_FIELD_MAP
        wm = synthetic_wound_map((n, n), px, regime="full_field", wound_depth=depth, seed=seed)
    elif coverage >= 1.0:
        # confluent: the scan's heat killed the islands too. What it kills between the columns is the basal layer
        # (the sample's depth); how deep below is not computed, so the adnexa there are taken to survive (the
        # dermis below a bulk-heated basal layer is cooler) and the wound closes from them, with the damaged
        # thickness of the columns' volume continued to full coverage (coverage × depth, as the nodes below)
        n, px = FULL_FIELD_MAP
        wm = synthetic_wound_map((n, n), px, regime="full_field", wound_depth=depth, seed=seed)
        wm = replace(wm, depth=np.full(wm.wound.shape, basal_depth()))
        if regime == "non_ablative":  # coagulated, not ablated: the epidermis stays on as necrotic tissue
            wm = replace(wm, ablated=np.zeros_like(wm.ablated))
    else:
        wm = synthetic_wound_map((n, n), px, coverage=float(np.clip(coverage, 1e-3, 0.95)), spot_diameter=d,
                                 regime=regime, wound_depth=depth, seed=seed)
    h = simulate_healing(wm, site=site, surrogate=True, n_draws=8, seed=seed)
    ery = max(float(h.erythema_days), ERYTHEMA_FLOOR)
    return float(h.downtime_days), ery, float(h.reepithelialization_days_95)


def _wound_key(modality: str, grid: ModalityGrid, energy, length, stack: int) -> str:
    from mtzsim.pipeline.cache import canonical_hash, model_version

    return "physicswound-" + canonical_hash(("wound", model_version(), WOUND_KEYS, modality, grid.laser, energy,
                                             length, grid.spot, int(stack), stack_delay(modality)))[:40]


def cached_wound(modality: str, grid: ModalityGrid, energy, length, cache=None, stack: int = 1) -> dict:
    """:func:`wound_of`, kept in the result cache under the model version (shared by every site)."""
    if cache is None:
        return wound_of(modality, grid, energy, length, stack)
    key = _wound_key(modality, grid, energy, length, stack)
    hit, _ = cache.get(key)
    if hit is not None:
        return hit
    wound = wound_of(modality, grid, energy, length, stack)
    cache.put(key, wound)
    return wound


def fractional_node(modality: str, grid: ModalityGrid, energy, stack: int = 1, combos=()) -> tuple[dict, dict]:
    """The wound of a fractional laser node (:func:`wound_of`) and its scan heat at the (density, passes)
    ``combos`` (:func:`heat_killed`, uncached), both from one :func:`mtzsim.physics.mtz.simulate_mtz` run: the
    numbers of the two separate calls, with the MTZ simulated once instead of twice (run in a worker process by
    :func:`build_physics_table`)."""
    from mtzsim.physics.mtz import simulate_mtz

    if modality not in FRACTIONAL_LASERS:
        raise ValueError(f"modality: {modality!r} is not a fractional laser ({FRACTIONAL_LASERS})")
    delay = stack_delay(modality)
    m = simulate_mtz(wound_beam({"laser": grid.laser, "energy": energy, "spot": grid.spot, "stack": stack,
                                 "stack_delay": delay, "pulse_duration": None}))
    wound = laser_wound(grid.laser, energy, grid.spot, stack, delay, None, mtz=m)
    return wound, _sample_heat(wound, [combo(d, p) for d, p in combos], mtz=m)


def _fractional_nodes(jobs, *, cache, workers, progress=None) -> list[tuple[dict, dict]]:
    """:func:`fractional_node` of each (modality, grid, energy, stack, combos) in ``jobs``, in ``workers`` spawned
    processes (None: one per core; 1 here); each wound and heat is put in ``cache`` (None: not kept) under the keys
    :func:`cached_wound` and :func:`heat_killed` read. ``progress(fraction, detail)`` after each node."""
    out = []
    for (wound, heat), (m, grid, energy, stack, _) in zip(_in_workers(fractional_node, jobs, workers), jobs):
        out.append((wound, heat))
        if cache is not None:
            cache.put(_wound_key(m, grid, energy, None, stack), wound)
            for k, v in heat.items():
                cache.put(_heat_key(wound, k), v)
        if progress is not None:
            progress(len(out) / len(jobs), m)
    return out


def build_node(modality: str, grid: ModalityGrid, energy, length, *, site: str = "cheek",
               wound: dict | None = None, stack: int = 1, pulse_duration: float | None = None,
               heat: dict | None = None) -> PhysicsNode:
    """Simulate one physics node (or take its ``wound``) and its healing on ``site`` at the coverage nodes; ``heat``
    is its :attr:`PhysicsNode.heat_killed` (default none: :meth:`PhysicsNode.open_basal` computes and caches a
    session's when asked)."""
    if wound is None:
        wound = wound_of(modality, grid, energy, length, stack, pulse_duration)
    covs = (1.0,) if modality in FULL_FIELD else COVERAGE_NODES
    heal = [heal_node(modality, wound, c, site=site) for c in covs]
    return PhysicsNode(modality=modality, energy=None if energy is None else float(energy),
                       length=None if length is None else float(length), stack=int(stack), wound=wound,
                       coverage_nodes=tuple(covs),
                       downtime=tuple(h[0] for h in heal), erythema=tuple(h[1] for h in heal),
                       reepithelialization=tuple(h[2] for h in heal), site=site,
                       heat_killed=dict(heat or {}))


def build_physics_table(modalities=MODALITIES, *, size: str = "full", site: str = "cheek", cache=None,
                        progress=None, workers: int | None = 1) -> PhysicsTable:
    """The physics table of ``modalities``, from the cache when it was built with this model version.

    Parameters
    ----------
    modalities : sequence of str
        Any of :data:`MODALITIES`.
    size : {"full", "small"}
        Grid size (:func:`modality_grids`).
    site : str
        Treated site of the healing runs (:func:`planner_sites`); the wounds are shared by all.
    cache : ResultCache or False, optional
        Default :func:`mtzsim.pipeline.cache.default_cache`; ``False`` builds without caching.
    progress : callable, optional
        ``progress(stage, fraction, detail)`` (:mod:`mtzsim.pipeline.progress`), stage ``"physics table"``.
    workers : int or None
        Processes for the wounds and scan heat of the fractional nodes (:func:`fractional_node`,
        :func:`heat_killed_many`) and for every node's healing (:func:`build_node`): 1 (default) runs them here,
        None one per core (spawned: a calling script needs a main guard). The command line uses one per core.
    """
    import time

    from mtzsim.pipeline.cache import canonical_hash, default_cache, model_version

    unknown = [m for m in modalities if m not in MODALITIES]
    if unknown:
        raise ValueError(f"unknown modality {unknown[0]!r}; expected one of {MODALITIES}")
    check_site(site)
    grids = modality_grids(size)
    mods = tuple(m for m in MODALITIES if m in modalities)
    c = default_cache() if cache is None else (cache or None)
    key = "physicstable-" + canonical_hash(("physics_table", model_version(), _healing_version(), size, mods,
                                            COVERAGE_NODES, HEALING_MAP, HEALING_SEEDS, FULL_FIELD_MAP, ERYTHEMA_FLOOR,
                                            PASS_DELAY, STACK_DELAY, SCAN_POINTS, SCAN_HANDOFF_AGE, SCAN_PASS_DELAY,
                                            SCAN_BACKGROUND_STEP, SCAN_BOX_DIFFUSION_LENGTHS, site,
                                            # the grids themselves (clinic/ is not in the model version's hash)
                                            tuple(repr(grids[m]) for m in mods)))[:40]
    if c is not None:
        hit, _ = c.get(key)
        if hit is not None:
            return hit
    t0 = time.perf_counter()
    jobs = [(m, e, l, s, sp) for m in mods for (e, l, s, sp) in grids[m].physics_nodes()]

    def grid_of(m, sp):
        return grids[m] if sp is None else replace(grids[m], spot=sp)

    # the scan's heat of every fractional node first, in ``workers`` processes: most of the build (full grid,
    # 2026-12-01: 667 s in one process before the sample's box and step were coarsened, 258 s in two after, 150 s
    # once each session was held to its sourced coverage; benchmarks/README.md). A node whose wound is not in the
    # cache is simulated once, in a worker, for its wound and its scan heat together (:func:`fractional_node`;
    # until 2026-12-01 the wounds were simulated here one after the other and again in the workers for the heat:
    # 93 MTZ simulations for the full grid's 51 laser wounds, 42 of them fractional; in two processes from empty
    # caches, 223 s → 140 s back to back)
    frac = [j for j in jobs if j[0] in FRACTIONAL_LASERS]
    frac_grids = [grid_of(m, sp) for m, _, _, _, sp in frac]
    hits = [c.get(_wound_key(m, g, e, l, s))[0] if c is not None else None
            for (m, e, l, s, _), g in zip(frac, frac_grids)]
    fresh = [i for i, w in enumerate(hits) if w is None]
    built = _fractional_nodes([(frac[i][0], frac_grids[i], frac[i][1], frac[i][3], frac_grids[i].session_combos())
                               for i in fresh],
                              cache=c, workers=workers,
                              progress=None if progress is None else
                              (lambda f, detail: progress("physics table", 0.6 * f, f"{detail}: wound and scan heat")))
    heat_of, wound_of_job = {}, {}
    for i, (w, h) in zip(fresh, built):
        wound_of_job[frac[i]], heat_of[frac[i]] = w, h
    cached = [i for i, w in enumerate(hits) if w is not None]  # their heat from the cache, or sampled if missing
    heats = heat_killed_many([(frac[i][0], hits[i], frac_grids[i].session_combos()) for i in cached],
                             cache=c if c is not None else False, workers=workers,
                             progress=None if progress is None else
                             (lambda f, detail: progress("physics table", 0.6 + 0.2 * f, f"{detail}: scan heat")))
    for i, h in zip(cached, heats):
        wound_of_job[frac[i]], heat_of[frac[i]] = hits[i], h
    # every node's healing (and the wound of a node outside FRACTIONAL_LASERS not in the cache), in the workers
    specs = []
    for m, e, l, s, sp in jobs:
        grid = grid_of(m, sp)
        wound = wound_of_job.get((m, e, l, s, sp))
        if wound is None and c is not None:
            wound = c.get(_wound_key(m, grid, e, l, s))[0]
        specs.append((m, grid, e, l, site, wound, s, heat_of.get((m, e, l, s, sp), {})))

    def node_done(f, spec):
        if progress is not None:
            m, _, e, l, _, _, s, _ = spec
            progress("physics table", 0.8 + 0.2 * f, f"{m} {'' if e is None else f'{e * 1e3:g} mJ'} "
                                                     f"{'' if l is None else f'{l * 1e3:g} mm'}"
                                                     f"{'' if s == 1 else f' × {s} stacked'}".strip() + ": healing")

    built_nodes = _build_nodes(specs, workers=workers, done=node_done)
    nodes = {}
    for (m, e, l, s, sp), spec, node in zip(jobs, specs, built_nodes):
        if spec[5] is None and c is not None:  # a wound simulated in a worker: kept as cached_wound keeps it
            c.put(_wound_key(m, spec[1], e, l, s), node.wound)
        nodes[(m, _k(e), _k(l), s, _k(sp))] = node
    if progress is not None:
        progress("physics table", 1.0, "done")
    table = PhysicsTable(nodes=nodes, size=size, model_version=model_version(),
                         build_seconds=time.perf_counter() - t0, grids={m: grids[m] for m in mods}, site=site)
    if c is not None:
        c.put(key, table)
    return table


def _build_node_spec(modality, grid, energy, length, site, wound, stack, heat) -> PhysicsNode:
    return build_node(modality, grid, energy, length, site=site, wound=wound, stack=stack, heat=heat)


def _build_nodes(specs, *, workers, done=None) -> list:
    """:func:`build_node` of each (modality, grid, energy, length, site, wound, stack, heat) in ``specs``, in
    ``workers`` spawned processes (None: one per core; 1 here), in order; ``done(fraction, spec)`` after each.
    The healing runs are seeded (:data:`HEALING_SEEDS`), so the nodes do not depend on the process that built
    them."""
    out = []
    for node, spec in zip(_in_workers(_build_node_spec, specs, workers), specs):
        out.append(node)
        if done is not None:
            done(len(out) / len(specs), spec)
    return out


def _healing_version() -> str:
    """Hash of the healing code and tables (the physics table's downtime depends on them)."""
    import hashlib
    from importlib import resources
    from pathlib import Path

    import mtzsim

    h = hashlib.sha256()
    root = Path(mtzsim.__file__).resolve().parent
    for path in sorted((root / "biology").glob("*.py")) + sorted((root / "clinic").glob("physics_table.py")):
        h.update(path.name.encode() + path.read_bytes())
    data = resources.files("mtzsim.params.data")
    for entry in sorted(data.iterdir(), key=lambda e: e.name):
        if entry.is_file() and entry.name.startswith(("healing", "aftercare")):
            h.update(entry.read_bytes())
    return h.hexdigest()[:16]


def mtz_like(wound: dict):
    """An object with the MTZResult attributes :func:`treatment_stimulus` reads, from a laser wound."""
    beam = types.SimpleNamespace(laser=wound["laser"], energy=wound["energy"], spot_diameter=wound["spot"])
    return types.SimpleNamespace(beam=beam, **{k: v for k, v in wound.items() if k not in ("laser", "energy", "spot")})
