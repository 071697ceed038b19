"""Histology view of one MTZ: the lesion as a fixed H&E section shows it (collagen-denaturation edge, processing shrinkage).

One definition, used by ``mtzsim mtz --json``, the report and ``mtzsim validate`` alike: the
H&E coagulation edge is collagen denaturation (Bedi 2007 and Hantash 2007 measure the MTZ in
H&E as the zone of denatured collagen), i.e. Ω ≥ 1 of the Maitland & Walsh (1997) collagen
birefringence-loss Arrhenius set. Fixed tissue shrinks: Marqa & Mordon (2014) found simulated
MTZs 21 ± 2 % deeper and 12 ± 2 % wider than the histology of the same settings, so model
depths are divided by 1.21 and widths by 1.12. The living-tissue values stay in
:class:`mtzsim.physics.mtz.MTZResult`.

The birefringence of collagen is a property of the dermis: the epidermis holds no collagen (the
basement membrane separates it from the papillary dermis, Sasaki 2009 layer thicknesses in
skin_layers.csv), so a collagen-denaturation edge exists only below the dermo-epidermal junction.
The lesion width is therefore the widest full width of the crater and the denatured collagen in
the dermis; Ω of the collagen set computed in the epidermis (a thin rim heated by the Gaussian
beam's wings) marks no H&E collagen edge. The crater's diameter at the surface is reported apart
(``ablation_diameter``). The coagulation depth is unaffected (the deepest point lies in the dermis).

References
----------
.. [1] Bedi VP et al. The effects of pulse energy variations on the dimensions of microscopic
   thermal treatment zones in nonablative fractional resurfacing. Lasers Surg Med 39 (2007) 145–155.
.. [2] Hantash BM et al. In vivo histological evaluation of a novel ablative fractional
   resurfacing device. Lasers Surg Med 39 (2007) 96–107.
.. [3] Maitland DJ, Walsh JT Jr. Quantitative measurements of linear birefringence during
   heating of native collagen. Lasers Surg Med 20 (1997) 310–318.
.. [4] Marqa MF, Mordon S. Laser fractional photothermolysis of the skin: numerical simulation of microthermal
   zones. J Cosmet Laser Ther 16 (2014) 57–65 (numerical MTZ model vs Hantash 2007 / Bedi 2007).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mtzsim.pipeline.contract import quantity

#: Arrhenius set (key of damage.ARRHENIUS) whose Ω ≥ 1 is the H&E coagulation edge.
HISTOLOGY_EDGE_PROCESS = "collagen_birefringence"
#: Marqa & Mordon 2014: simulation / histology = 1.21 ± 0.02 in depth, 1.12 ± 0.02 in width.
HISTOLOGY_DEPTH_SHRINK = 1.21
HISTOLOGY_WIDTH_SHRINK = 1.12
SHRINKAGE_SOURCE = "MarqaMordon2014: model depth / 1.21, width / 1.12 (processing shrinkage of fixed tissue)"


@dataclass(frozen=True)
class Histology:
    """One MTZ as a fixed H&E section shows it (shrinkage applied) [m]."""

    ablation_depth: float = quantity("m", "crater depth in the section", source=SHRINKAGE_SOURCE, display="um")
    ablation_diameter: float = quantity("m", "crater diameter at the surface in the section", source=SHRINKAGE_SOURCE,
                                        display="um")
    coagulation_depth: float = quantity("m", "deepest point of crater and collagen-denaturation edge (total "
                                        "coagulative effect)", source="Bedi2007; MaitlandWalsh1997; " + SHRINKAGE_SOURCE,
                                        display="um")
    lesion_width: float = quantity("m", "widest full width of crater and collagen-denaturation edge in the dermis",
                                   source="Hantash2007; MaitlandWalsh1997; " + SHRINKAGE_SOURCE, display="um")
    edge_process: str = quantity("", "Arrhenius set of the coagulation edge", kind="category")
    depth_shrink: float = quantity("1", "model depth / histology depth (Marqa & Mordon 2014)")
    width_shrink: float = quantity("1", "model width / histology width (Marqa & Mordon 2014)")
    dermis_top: float = quantity("m", "depth of the dermo-epidermal junction below which the width is measured "
                                 "(living tissue)", default=0.0, source="Sasaki2009; RamanSC2007", display="um")

    def to_dict(self) -> dict:
        """JSON summary in µm, with the shrinkage correction stated."""
        return {
            "ablation_depth_um": self.ablation_depth * 1e6,
            "ablation_diameter_um": self.ablation_diameter * 1e6,
            "coagulation_depth_um": self.coagulation_depth * 1e6,
            "lesion_width_um": self.lesion_width * 1e6,
            "edge": f"collagen denaturation, Omega >= 1 of {self.edge_process}",
            "width_below_um": self.dermis_top * 1e6,
            "shrinkage_correction": f"model depth / {self.depth_shrink:g}, width / {self.width_shrink:g} (Marqa & Mordon 2014)",
        }


def deepest(mask, h: float) -> float:
    """Depth [m] of the bottom face of the deepest cell set in ``mask`` (r, z); 0 if none."""
    ks = np.nonzero(np.any(mask, axis=0))[0]
    return float((ks.max() + 1) * h) if ks.size else 0.0


def widest(mask, h: float) -> float:
    """Radius [m] of the outer face of the outermost cell set in ``mask`` (r, z); 0 if none."""
    js = np.nonzero(np.any(mask, axis=1))[0]
    return float((js.max() + 1) * h) if js.size else 0.0


def section(void, omega_edge, h: float, ablation_depth: float, ablation_diameter: float,
            edge_process: str = HISTOLOGY_EDGE_PROCESS, dermis_top: float = 0.0) -> Histology:
    """The H&E view from the crater mask and the edge process's Ω map (r, z) on cells of size h [m].

    ``dermis_top`` [m]: depth of the dermo-epidermal junction; the width counts the cells whose
    centre lies at or below it (0: every cell).
    """
    if not (np.isfinite(dermis_top) and dermis_top >= 0.0):
        raise ValueError(f"dermis_top must be a non-negative depth, got {dermis_top!r}")
    mask = (np.asarray(omega_edge) >= 1.0) | np.asarray(void, bool)
    below = (np.arange(mask.shape[1]) + 0.5) * h >= dermis_top
    return Histology(
        ablation_depth=ablation_depth / HISTOLOGY_DEPTH_SHRINK,
        ablation_diameter=ablation_diameter / HISTOLOGY_WIDTH_SHRINK,
        coagulation_depth=deepest(mask, h) / HISTOLOGY_DEPTH_SHRINK,
        lesion_width=2.0 * widest(mask[:, below], h) / HISTOLOGY_WIDTH_SHRINK,
        edge_process=edge_process,
        depth_shrink=HISTOLOGY_DEPTH_SHRINK,
        width_shrink=HISTOLOGY_WIDTH_SHRINK,
        dermis_top=float(dermis_top),
    )


def damage_extent(result, process: str) -> tuple[float, float]:
    """Deepest point [m] and widest full width [m] of crater ∪ {Ω_process ≥ 1} of an MTZResult (living tissue)."""
    ds = result.dataset
    h = float(ds.attrs["cell_m"])
    void = ds["ablated"].values
    mask = (ds[f"omega_{process}"].values >= 1.0) | void
    return deepest(mask, h), 2.0 * widest(mask, h)


def histology_view(result) -> dict:
    """The MTZResult's :class:`Histology` as a dict of lengths [m] (ablation/coagulation depth, diameter, width)."""
    hist = result.histology
    return {
        "ablation_depth": hist.ablation_depth,
        "coagulation_depth": hist.coagulation_depth,
        "ablation_diameter": hist.ablation_diameter,
        "lesion_width": hist.lesion_width,
    }
