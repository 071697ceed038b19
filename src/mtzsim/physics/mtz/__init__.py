"""Single microscopic treatment zone (MTZ): one microbeam's crater, coagulation, lethal and heat-shock zones.

One microbeam on an axisymmetric (r, z) grid of layered skin, in six steps, one module each:

* :mod:`.domain` — the grid and its guards (spot resolved by the cells, domain that holds
  the damage, pulses inside any device's range);
* :mod:`.source` — where the light is absorbed: Beer–Lambert columns below the crater floor
  (10.6 and 2.94 µm), a fixed deposition map for a scattering beam (1.55 µm);
* :mod:`.pulse` — the enthalpy method while the laser fires: water boils at 100 °C with its
  latent heat, the desiccated matrix heats beyond boiling and is ejected at the ablation
  temperature (superheated, explosive removal: Vogel & Venugopalan 2003; Welch 1991); the
  ejected mass in the beam path absorbs part of the beam (:mod:`.losses`);
* :mod:`.cooling` — implicit Pennes conduction after the pulse: the hot desiccated layer left
  on the crater wall and floor conducts its heat into the tissue (no cap at boiling);
* :mod:`.energy` — the energy partition and its balance;
* :mod:`.dataset` and :mod:`.response` — the fields as an xarray Dataset and the tabulated
  temperature rise that the treatment field superposes.

Arrhenius damage for named processes comes from :mod:`mtzsim.physics.damage`; the H&E view
(collagen-denaturation edge, shrinkage correction) from :mod:`mtzsim.physics.histology`.
"""

from mtzsim.physics.histology import (
    HISTOLOGY_DEPTH_SHRINK,
    HISTOLOGY_EDGE_PROCESS,
    HISTOLOGY_WIDTH_SHRINK,
    Histology,
    damage_extent,
    histology_view,
)
from mtzsim.physics.mtz.domain import Numerics
from mtzsim.physics.mtz.energy import EnergyPartition
from mtzsim.physics.mtz.losses import LossModel, calibration_record, default_loss_model
from mtzsim.physics.mtz.response import ThermalResponse
from mtzsim.physics.mtz.result import PROCESSES, MTZResult
from mtzsim.physics.mtz.simulate import simulate_mtz

__all__ = [
    "EnergyPartition", "HISTOLOGY_DEPTH_SHRINK", "HISTOLOGY_EDGE_PROCESS", "HISTOLOGY_WIDTH_SHRINK", "Histology",
    "LossModel", "MTZResult", "Numerics", "PROCESSES", "ThermalResponse", "calibration_record", "damage_extent",
    "default_loss_model", "histology_view", "simulate_mtz",
]
