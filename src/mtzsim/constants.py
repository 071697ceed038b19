"""Physical constants, read once from ``params/data/constants.csv`` (SI, each with its source).

Every module takes its gas constant, body temperature and boiling point from here; no module
types them again.
"""

from __future__ import annotations

from mtzsim.params import tables

_C = {row["key"]: float(row["value"]) for row in tables.rows("constants.csv")}

#: Molar gas constant R [J/(mol K)], CODATA 2018 (exact).
R_GAS: float = _C["gas_constant"]
#: Body (core) temperature [K]; an assumption, see constants.csv.
T_BODY: float = _C["body_temperature"]
#: Boiling point of water at 1 atm [K], IAPWS-95.
T_BOIL: float = _C["water_boiling_point"]
#: Latent heat of vaporisation of water at 100 °C [J/kg], IAPWS-95.
WATER_LATENT_HEAT: float = _C["water_latent_heat"]
#: Specific heat of the dry collagen matrix [J/(kg K)]; an assumption, see constants.csv.
DRY_MATRIX_SPECIFIC_HEAT: float = _C["dry_matrix_specific_heat"]
#: Offset between the Kelvin and Celsius scales [K] (SI definition).
ZERO_CELSIUS: float = 273.15
#: One day [s] (SI definition); the biology and clinic stages count their courses in days.
DAY: float = 86400.0
#: One month [s]: the Julian mean 365.25 d / 12 = 30.4375 d, the unit of the clinical courses and
#: follow-ups (the Gregorian mean, 30.436875 d, differs by 4 parts in 10⁵).
MONTH: float = 30.4375 * DAY
