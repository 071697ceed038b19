"""Parameters of the healing stage with their pedigree (source, range, fitted or assumed), read once."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from mtzsim.params import tables
from mtzsim.params.tables import value_or_nan as _f

#: Unit of each CSV value → factor to SI.
_TO_SI = {
    "um/d": 1e-6 / 86400.0,
    "1/d": 1.0 / 86400.0,
    "h": 3600.0,
    "d": 86400.0,
    "um": 1e-6,
    "1": 1.0,
    "EI": 1.0,
    "EI/d": 1.0 / 86400.0,
}


@dataclass(frozen=True)
class HealingParameter:
    """One healing parameter in SI with its range, source and whether it was fitted."""

    name: str
    value: float
    low: float
    high: float
    unit: str  # the unit of the data table (display)
    source: str
    reliability: str
    fitted: bool
    assumption: str
    note: str


@dataclass(frozen=True)
class Site:
    """Adnexal reservoir densities of one anatomical site [1/m²] with ranges and sources."""

    name: str
    follicle_density: float
    follicle_range: tuple
    eccrine_density: float
    eccrine_range: tuple
    source: str
    assumption: str


@lru_cache(maxsize=1)
def parameters() -> dict:
    """The healing parameters by name (values in SI)."""
    out = {}
    for row in tables.rows("healing_parameters.csv"):
        k = _TO_SI[row["unit"]]
        out[row["name"]] = HealingParameter(
            name=row["name"], value=_f(row["value"]) * k, low=_f(row["low"]) * k, high=_f(row["high"]) * k,
            unit=row["unit"], source=row["source"], reliability=row["reliability"],
            fitted=row["fitted"].strip().lower() == "true", assumption=row["assumption"], note=row["note"])
    return out


def value(name: str) -> float:
    """SI value of one healing parameter."""
    return parameters()[name].value


@lru_cache(maxsize=1)
def sites() -> dict:
    """Adnexal densities by site (follicles: Blume 1991, Otberg 2004, Pagnoni 1994; eccrine ducts:
    Taylor & Machado-Moreira 2013, Table 2), per m²."""
    out = {}
    per_cm2 = 1e4
    for row in tables.rows("healing_sites.csv"):
        out[row["site"]] = Site(
            name=row["site"],
            follicle_density=_f(row["follicle_density_per_cm2"]) * per_cm2,
            follicle_range=(_f(row["follicle_low"]) * per_cm2, _f(row["follicle_high"]) * per_cm2),
            eccrine_density=_f(row["eccrine_density_per_cm2"]) * per_cm2,
            eccrine_range=(_f(row["eccrine_low"]) * per_cm2, _f(row["eccrine_high"]) * per_cm2),
            source=f"{row['follicle_source']}; {row['eccrine_source']}",
            assumption="; ".join(a for a in (row["follicle_assumption"], row["eccrine_assumption"]) if a),
        )
    return out


@lru_cache(maxsize=1)
def erythema_fit_corners():
    """Erythema gain [EI] and capacity [EI/s] refitted at the corners of the two data ranges.

    Returns (fractional target [s], full-field target [s], gain, vmax) arrays, corners and centre.
    """
    rows = [(float(row["fractional_erythema_d"]) * 86400.0, float(row["full_field_erythema_d"]) * 86400.0,
             float(row["erythema_gain_ei"]), float(row["erythema_vmax_ei_per_d"]) / 86400.0)
            for row in tables.rows("healing_erythema_fit.csv")]
    import numpy as np

    return tuple(np.array(c) for c in zip(*rows))


#: References of the source keys used by the healing tables (copied from the project's data notes
#: and from the literature found for this stage).
REFERENCES = {
    "Blume1991": "Blume U, Ferracin J, Verschoore M, Czernielewski JM, Schaefer H. Physiology of the vellus "
                 "hair follicle: hair growth and sebum excretion. Br J Dermatol 1991;124:21-28 (forehead 439 "
                 "vellus hairs/cm2, back 85/cm2)",
    "Otberg2004": "Otberg N, Richter H, Schaefer H, Blume-Peytavi U, Sterry W, Lademann J. Variations of hair "
                  "follicle size and distribution in different body sites. J Invest Dermatol 2004;122:14-19. "
                  "doi:10.1046/j.0022-202X.2003.22110.x",
    "Pagnoni1994": "Pagnoni A, Kligman AM, el Gammal S, Stoudemayer T. Determination of density of follicles on "
                   "various regions of the face by cyanoacrylate biopsy. Br J Dermatol 1994;131:862-865. "
                   "doi:10.1111/j.1365-2133.1994.tb08590.x",
    "TaylorMachadoMoreira2013": "Taylor NAS, Machado-Moreira CA. Regional variations in transepidermal water "
                                "loss, eccrine sweat gland density, sweat secretion rates and electrolyte "
                                "composition in resting and exercising humans. Extreme Physiol Med 2013;2:4. "
                                "doi:10.1186/2046-7648-2-4",
    "Rittie2013": "Rittié L, Sachs DL, Orringer JS, Voorhees JJ, Fisher GJ. Eccrine sweat glands are major "
                  "contributors to reepithelialization of human wounds. Am J Pathol 2013;182:163-171. "
                  "doi:10.1016/j.ajpath.2012.09.019",
    "HinmanMaibach1963": "Hinman CD, Maibach H. Effect of air exposure and occlusion on experimental human "
                         "skin wounds. Nature 1963;200:377-378. doi:10.1038/200377a0",
    "Winter1962": "Winter GD. Formation of the scab and the rate of epithelization of superficial wounds in "
                  "the skin of the young domestic pig. Nature 1962;193:293-294. doi:10.1038/193293a0",
    "Vogt1995": "Vogt PM, Andree C, Breuing K, et al. Dry, moist, and wet skin wound repair. Ann Plast Surg "
                "1995;34:493-500",
    "CaoWang2021": "Cao & Wang, J Cosmet Dermatol 2021, doi:10.1111/jocd.13798 (cited by the seed; no number found)",
    "Collawn": "Collawn SS. Re-epithelialization of the skin following CO2 laser resurfacing. vol 3(3):123-127",
    "FPchapter": "Biological effects of fractional photothermolysis (chapter summarising Manstein 2004 and "
                 "Laubach 2006), in Cosmetic Applications of Laser and Light-Based Systems",
    "Laubach2006": "Laubach H-J, Tannous Z, Anderson RR, Manstein D. Lasers Surg Med 2006;38:142. doi:10.1002/lsm.20254",
    "CO2vsErYAG": "Single-pass carbon dioxide versus multiple-pass Er:YAG laser skin resurfacing: a comparison of "
                  "postoperative wound healing and side-effect rates",
    "ErYAGAsians2014": "Ablative non-fractional lasers for atrophic facial acne scars: a new modality of "
                       "erbium:YAG laser resurfacing in Asians. Lasers Med Sci 2014;29:615-619. doi:10.1007/s10103-013-1372-8",
    "ErYSGG2012": "Biophysical evaluation of fractional laser skin resurfacing with an Er:YSGG laser device in "
                  "Japanese skin. J Drugs Dermatol 2012;11:637-642",
    "Kim2013": "Kim JM et al. Change of epidermal barrier function after ablative and non-ablative fractional "
               "photothermolysis. J Skin Barrier Res 2013;15:108",
    "Wu2025": "Wu Z, Liang X, Yu Q, Zhang W, Shi Y. Hyaluronic acid dressings of different molecular weights for "
              "skin barrier repair after CO2 fractional laser. J Cosmet Dermatol 2025;24:e70322. doi:10.1111/jocd.70322",
    "PRPsplitface2011": "The efficacy of autologous platelet rich plasma combined with ablative carbon dioxide "
                        "fractional resurfacing for acne scars: a simultaneous split-face trial. Dermatol Surg "
                        "2011;37:931-938. doi:10.1111/j.1524-4725.2011.01999.x",
    "MajidImran2014": "Majid I, Imran S. Fractional CO2 laser resurfacing as monotherapy in the treatment of "
                      "atrophic facial acne scars. J Cutan Aesthet Surg 2014;7:87-92",
    "Cho2009": "Cho SB et al. The efficacy and safety of 10,600-nm carbon dioxide fractional laser for acne scars "
               "in Asian patients. Dermatol Surg 2009;35:1955-1961",
    "Neaman2010": "Neaman KC et al. Outcomes of fractional CO2 laser application in aesthetic surgery. Aesthet "
                  "Surg J 2010;30:845-852. doi:10.1177/1090820X10386930",
    "NAFLsideeffects2005": "Short-term side effects of fractional photothermolysis. Dermatol Surg 2005;31:1245-1249",
    "Geronemus2006": "Geronemus RG. Fractional photothermolysis: current and future applications. Lasers Surg Med "
                     "2006;38:169-176. doi:10.1002/lsm.20310 (the stratum corneum stays intact: wounding not apparent, "
                     "cosmetics immediately after treatment)",
    "Chan2007": "Chan HH, Manstein D, Yu CS, Shek S, Kono T, Wei WI. The prevalence and risk factors of "
                "post-inflammatory hyperpigmentation after fractional resurfacing in Asians. Lasers Surg Med "
                "2007;39:381-385. doi:10.1002/lsm.20512 (arms: mean 8.2 mJ at 2,000 and 16.3 mJ at 1,000 MTZ)",
    "WaughSherratt2006": "Waugh HV, Sherratt JA. Macrophage dynamics in diabetic wound healing. Bull Math Biol "
                         "2006;68:197-207",
    "Yuan2014": "Yuan XH, Zhong SX, Li SS. Dermatol Surg 2014 (fractional CO2, fluences and densities, split face)",
    "Walsh1989CW": "Walsh JT et al. Low thermal damage cutting of tissue using high irradiance CW CO2 laser "
                   "radiation. CLEO 1989 (residual damage 100 +- 15 um)",
}
