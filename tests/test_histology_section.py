"""The H&E section's lesion width is a dermal measure: collagen (and its birefringence) begins at the dermo-epidermal junction."""

import numpy as np
import pytest

from mtzsim.physics.histology import HISTOLOGY_DEPTH_SHRINK, HISTOLOGY_WIDTH_SHRINK, section
from mtzsim.physics.tissue import get_tissue


def test_dermis_top_is_the_stratum_corneum_and_viable_epidermis():
    """skin_layers.csv: stratum corneum 16.8 µm (RamanSC2007, cheek) + viable epidermis 59 µm (Sasaki2009) = 75.8 µm."""
    t = get_tissue("face")
    assert t.dermis_top == pytest.approx(75.8e-6, rel=1e-12)
    assert t.layers[t.layer_at(t.dermis_top + 1e-9)].key == "papillary"
    assert t.layers[t.layer_at(t.dermis_top - 1e-9)].key == "epidermis"


def test_an_epidermal_rim_does_not_widen_the_lesion():
    """A wide Ω ≥ 1 rim in the top 70 µm (the beam's wings heating the epidermis) over a 50 µm-radius dermal column:
    the H&E width is the column's (over the width shrinkage), the depth its deepest point (over the depth
    shrinkage); with the junction at 0 the rim would set the width."""
    h = 5e-6
    nr, nz = 40, 60
    omega = np.zeros((nr, nz))
    omega[:30, :14] = 2.0  # rim: 150 µm radius, cells centred above 70 µm
    omega[:10, :50] = 2.0  # column: 50 µm radius, 250 µm deep
    void = np.zeros((nr, nz), bool)
    void[:6, :20] = True  # a 30 µm-radius crater 100 µm deep
    hist = section(void, omega, h, 100e-6, 60e-6, dermis_top=75.8e-6)
    assert hist.lesion_width == pytest.approx(2 * 50e-6 / HISTOLOGY_WIDTH_SHRINK)
    assert hist.coagulation_depth == pytest.approx(250e-6 / HISTOLOGY_DEPTH_SHRINK)
    assert hist.dermis_top == 75.8e-6 and hist.to_dict()["width_below_um"] == pytest.approx(75.8)
    everywhere = section(void, omega, h, 100e-6, 60e-6, dermis_top=0.0)
    assert everywhere.lesion_width == pytest.approx(2 * 150e-6 / HISTOLOGY_WIDTH_SHRINK)
    with pytest.raises(ValueError, match="dermis_top"):
        section(void, omega, h, 100e-6, 60e-6, dermis_top=-1e-6)


def test_the_crater_counts_where_it_crosses_the_dermis():
    """No collagen edge at all: the crater's own width below the junction is the lesion width."""
    h = 5e-6
    void = np.zeros((40, 60), bool)
    void[:12, :10] = True  # 60 µm radius, only in the top 50 µm (epidermis)
    void[:4, 10:40] = True  # a 20 µm-radius channel below
    hist = section(void, np.zeros(void.shape), h, 200e-6, 120e-6, dermis_top=75.8e-6)
    assert hist.lesion_width == pytest.approx(2 * 20e-6 / HISTOLOGY_WIDTH_SHRINK)
