"""Energy partition of one MTZ: where the pulse energy went, and the balance that checks the solver."""

from __future__ import annotations

from dataclasses import dataclass

from mtzsim.pipeline.contract import quantity


@dataclass(frozen=True)
class EnergyPartition:
    """Where the pulse energy went [J]; ``error`` = (in − out − stored) / pulse energy [-]."""

    delivered: float = quantity("J", "energy absorbed by the tissue (columns below the crater floor, or the map)", display="mJ")
    plume_loss: float = quantity("J", "absorbed by the ejecta in the beam path and carried away",
                                 source="plume shielding by ejected mass (physics/mtz/losses.py); bounded by what the "
                                 "ejecta can absorb before they are gasified, 1.7-1.9 MJ per kg of ejected dermis "
                                 "(LossModel.ejecta_capacity), which the calibrated plume exceeds in deep channels "
                                 "(2.8-8.4 MJ/kg at 30-380 mJ on a 120 um spot, docs/mtz_calibration_notes.md)", display="mJ")
    wall_heating: float = quantity("J", "beam energy absorbed by the ejecta in the confined channel and given to its "
                                   "wall and floor while the laser fires (hot ejecta flowing along the wall)",
                                   source="Zweig1990; VogelVenugopalan2003 sec. V.E (physics/mtz/losses.py)",
                                   display="mJ")
    ablated: float = quantity("J", "enthalpy carried off by ejected tissue and by the steam of desiccated cells", display="mJ")
    stored: float = quantity("J", "heat above body temperature left in the tissue at the end of the run", display="mJ")
    perfusion: float = quantity("J", "removed by blood perfusion (Pennes term)", display="mJ")
    boundary: float = quantity("J", "through the domain's boundaries, below the domain, or outside 3.5 beam radii", display="mJ")
    reflected: float = quantity("J", "Fresnel-reflected at the skin surface and the crater walls and out of the skin "
                                "(CO2, Er:YAG; for the 1.55 um beam the Monte Carlo's surface reflection is in boundary)",
                                source="HaleQuerry1973 water index; physics/mtz/reflection.py", display="mJ")
    error: float = quantity("1", "energy balance error relative to the pulse energy", display="%")
    wall_redirected: float = quantity("J", "absorbed deeper in the crater after at least one Fresnel reflection at its "
                                      "walls (waveguiding; part of delivered)",
                                      source="physics/mtz/reflection.py", display="mJ", default=0.0)
    surface_cooling: float = quantity("J", "conducted out of the skin surface into a coolant (contact window or air "
                                      "stream) from the first pulse to the end of the run; 0 without one",
                                      source="physics/mtz/surface_cooling.py", display="mJ", default=0.0)
    precooled: float = quantity("J", "heat above body temperature the grid held when the first pulse started "
                                "(negative after pre-cooling; 0 without a coolant)",
                                source="physics/mtz/surface_cooling.py", display="mJ", default=0.0)


def partition(e_beam: float, pulse, vaporised: float, stored: float, boundary: float, perfusion: float,
              surface: float = 0.0, initial: float = 0.0) -> EnergyPartition:
    """Balance the pulse and cooling tallies [J] into an :class:`EnergyPartition`.

    ``pulse`` is a :class:`mtzsim.physics.mtz.pulse.PulseTally`; boundary and perfusion are the
    whole run's. What the beam carried but neither delivered nor lost to the plume missed the
    columns (beyond 3.5 w) and is counted with the boundary. ``reflected`` left the skin after Fresnel
    reflection at its surface or the crater walls (:mod:`mtzsim.physics.mtz.reflection`).
    With a cooled surface, ``surface`` is the whole run's heat given to the coolant and
    ``initial`` the (pre-cooled, negative) heat the grid held at the first pulse: the balance
    is delivered = ejected + (stored − initial) + perfusion + boundary + surface.
    """
    into = pulse.delivered + pulse.wall_heating + initial
    out = pulse.ablated + vaporised + stored + perfusion + boundary + pulse.transmitted + surface
    missed = e_beam - pulse.delivered - pulse.plume - pulse.wall_heating - pulse.reflected
    return EnergyPartition(
        delivered=pulse.delivered,
        plume_loss=pulse.plume,
        wall_heating=pulse.wall_heating,
        ablated=pulse.ablated + vaporised,
        stored=stored,
        perfusion=perfusion,
        boundary=boundary + pulse.transmitted + missed,
        reflected=pulse.reflected,
        wall_redirected=pulse.redirected,
        surface_cooling=surface,
        precooled=initial,
        error=float((into - out) / e_beam),
    )
