"""Skin as layers: thickness, thermal and optical properties, with the source of each number."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np

from mtzsim.constants import ZERO_CELSIUS
from mtzsim.errors import InputError
from mtzsim.params import tables


@lru_cache(maxsize=None)
def constants() -> dict[str, float]:
    """Physical constants used by the models (SI), from data/constants.csv."""
    return {row["key"]: float(row["value"]) for row in tables.rows("constants.csv")}


@lru_cache(maxsize=None)
def water_absorption() -> dict[str, float]:
    """Absorption coefficient µa of liquid water [1/m] by laser type (data/water_absorption.csv)."""
    return {row["laser"]: float(row["mua_water_per_cm"]) * 100.0 for row in tables.rows("water_absorption.csv")}


@dataclass(frozen=True)
class AbsorptionTemperature:
    """Linear temperature dependence of water's absorption at one laser line, relative to the table value.

    µa(T) = µa_table (1 + slope (min(T, t_cap) − t_ref)): ``slope`` = (dµa/dT) / µa(t_ref) [1/K],
    ``t_ref`` the temperature of the package's µa table [K], ``t_cap`` the highest temperature the
    law is carried to [K] (held there above it).
    """

    slope: float  # [1/K]
    t_ref: float  # [K]
    t_cap: float  # [K]
    source: str = ""

    def factor(self, temperature):
        """µa(T) / µa(t_ref) [-] (temperature in K; scalar or array), never negative.

        The numpy definition of the law that the kernel ``_kernels.axisym.absorption_update`` evaluates cell by cell.
        """
        return np.maximum(0.0, 1.0 + self.slope * (np.minimum(temperature, self.t_cap) - self.t_ref))


@lru_cache(maxsize=None)
def water_absorption_temperature() -> dict[str, AbsorptionTemperature]:
    """Temperature dependence of water's µa by laser type (data/water_absorption_temperature.csv).

    Only lines with a sourced coefficient are listed (2.94 µm: Röttgers et al. 2014, dµa/dT =
    −5,824 m⁻¹ K⁻¹ at 20 °C on µa = 1.251 × 10⁶ m⁻¹, −0.48 % per K of the 25 °C value; the
    water's OH-stretch band weakens and shifts as hydrogen bonds break). The law is measured over
    0–30 °C; carrying it linearly to 100 °C (−36 % of the 25 °C value there) is an assumption that the same band's
    measured linear fall to −⅓ at 100 °C at 2.01 and 2.09 µm supports (Lange et al.), and it is held
    at its 100 °C value above boiling (no data). The 1.55 µm row (Röttgers et al. 2014: −6.42 m⁻¹ K⁻¹ on
    1,130 m⁻¹ at 20 °C; in tissue, Sviridov & Kondyurin 2010 measured cartilage's µa at 1560 nm linear in
    temperature up to 80 °C, some 25 % lower there) sets the Monte Carlo map's µa at body temperature
    (:func:`mtzsim.physics.montecarlo.layer_table`) and, carried to 100 °C the same way, each cell's absorption
    when the map is recomputed during the pulse (:mod:`mtzsim.physics.mtz.source`).
    """
    out = {}
    for row in tables.rows("water_absorption_temperature.csv"):
        a_ref = float(row["a_ref_per_m"])
        dadt = float(row["dadt_per_m_per_k"])
        t_table = float(row["table_temperature_c"])
        a_table = a_ref + dadt * (t_table - float(row["t_ref_c"]))  # µa at the package table's temperature
        out[row["laser"]] = AbsorptionTemperature(slope=dadt / a_table, t_ref=t_table + ZERO_CELSIUS,
                                                  t_cap=float(row["extrapolated_to_c"]) + ZERO_CELSIUS,
                                                  source=row["source"])
    return out


@dataclass(frozen=True)
class Layer:
    """One skin layer, SI units; ``source`` and ``assumption`` say where each number comes from."""

    key: str
    name: str
    thickness: float  # [m]
    conductivity: float  # k [W/(m K)]
    specific_heat: float  # c [J/(kg K)]
    density: float  # ρ [kg/m³]
    water_fraction: float  # mass fraction of water [-]
    perfusion: float  # ω_b [1/s] (volume of blood per volume of tissue per second)
    source: str = ""
    reliability: str = ""
    assumption: str = ""

    @property
    def heat_capacity(self) -> float:
        """Volumetric heat capacity ρc [J/(m³ K)]."""
        return self.density * self.specific_heat

    @property
    def diffusivity(self) -> float:
        """Thermal diffusivity α = k/(ρc) [m²/s]."""
        return self.conductivity / self.heat_capacity

    def absorption(self, laser: str) -> float:
        """µa [1/m] = water fraction × µa of water (water dominates at 10.6, 2.94 and 1.55 µm).

        The room-temperature (25 °C) value. The absorption of water at 2.94 µm falls as it heats
        (the OH-stretch band weakens and shifts: Cummings & Walsh 1993; Shori et al. 2000); the
        MTZ solver multiplies this value, cell by cell, by :func:`water_absorption_temperature`'s
        factor for the lines that have one (2.94 µm, Röttgers et al. 2014).
        """
        return self.water_fraction * water_absorption()[laser]

    def ablation_enthalpy(self, t_body: float | None = None) -> float:
        """Energy per volume to heat to boiling and vaporise all the water [J/m³]."""
        c = constants()
        t_body = c["body_temperature"] if t_body is None else t_body
        return self.heat_capacity * (c["water_boiling_point"] - t_body) + (
            self.density * self.water_fraction * c["water_latent_heat"]
        )


#: Keys of the collagen-bearing layers (skin_layers.csv): the dermis starts at the first of them.
DERMAL_LAYERS = ("papillary", "reticular")


@dataclass(frozen=True)
class Tissue:
    """A stack of layers from the skin surface down; the last layer is semi-infinite."""

    name: str
    layers: tuple[Layer, ...]
    body_temperature: float = field(default_factory=lambda: constants()["body_temperature"])

    def layer_at(self, z) -> np.ndarray:
        """Index of the layer at depth z [m] (array)."""
        bounds = np.cumsum([layer.thickness for layer in self.layers])
        return np.minimum(np.searchsorted(bounds, np.asarray(z), side="right"), len(self.layers) - 1)

    def property_at(self, name: str, z) -> np.ndarray:
        """Any Layer attribute or property as a function of depth z [m]."""
        values = np.array([getattr(layer, name) for layer in self.layers], dtype=float)
        return values[self.layer_at(z)]

    def absorption_at(self, laser: str, z) -> np.ndarray:
        values = np.array([layer.absorption(laser) for layer in self.layers])
        return values[self.layer_at(z)]

    @property
    def dermis_top(self) -> float:
        """Depth of the dermo-epidermal junction [m]: the layers above the first dermal one (stratum corneum
        and viable epidermis), where the collagen begins."""
        top = 0.0
        for layer in self.layers:
            if layer.key in DERMAL_LAYERS:
                return top
            top += layer.thickness
        raise ValueError(f"tissue {self.name!r} has no dermal layer ({', '.join(DERMAL_LAYERS)})")

    @property
    def dermis(self) -> Layer:
        """The reticular dermis, where most of an MTZ lies."""
        return next(layer for layer in self.layers if layer.key == "reticular")

    def with_layer(self, key: str, **changes) -> "Tissue":
        """A copy with one layer's properties changed (for sensitivity studies)."""
        layers = tuple(replace(layer, **changes) if layer.key == key else layer for layer in self.layers)
        return replace(self, layers=layers)


@lru_cache(maxsize=None)
def _face_layers() -> tuple[Layer, ...]:
    layers = []
    for row in tables.rows("skin_layers.csv"):
        layers.append(
            Layer(
                key=row["key"],
                name=row["layer"],
                thickness=float(row["thickness_um"]) * 1e-6,
                conductivity=float(row["k_w_per_m_k"]),
                specific_heat=float(row["c_j_per_kg_k"]),
                density=float(row["rho_kg_per_m3"]),
                water_fraction=float(row["water_fraction"]),
                perfusion=float(row["perfusion_per_s"]),
                source=row["source"],
                reliability=row["reliability"],
                assumption=row["assumption"],
            )
        )
    return tuple(layers)


def _homogeneous() -> Tissue:
    """Dermis only, no layers: for verification against closed-form solutions."""
    d = next(layer for layer in _face_layers() if layer.key == "reticular")
    return Tissue("dermis", (replace(d, thickness=math.inf, perfusion=0.0),))


#: Named tissues. "face": cheek stratum corneum over face/body epidermis and dermis.
TISSUES = {
    "face": lambda: Tissue("face", _face_layers()),
    "dermis": _homogeneous,
}


def get_tissue(name_or_tissue) -> Tissue:
    """Look up a named tissue, or pass a Tissue through."""
    if isinstance(name_or_tissue, Tissue):
        return name_or_tissue
    try:
        return TISSUES[name_or_tissue]()
    except KeyError:
        raise InputError("tissue", f"unknown tissue {name_or_tissue!r}; choose one of {', '.join(TISSUES)}") from None
