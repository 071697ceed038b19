"""Closed-form ablation models: blow-off and steady-state crater depth.

These are the reference limits that the enthalpy method of :mod:`mtzsim.physics.mtz` reproduces:
a pulse much shorter than the time to eject material deposits its energy in the
unablated tissue and removes everything above the ablation enthalpy (blow-off,
d = ln(F/F_th)/µa); a long pulse removes tissue while it fires, each unit volume
taking the ablation enthalpy (steady state, d = (F − F_th)/h_abl).

References
----------
.. [1] Walsh JT Jr, Deutsch TF. Lasers Surg Med 9 (1989) 327–337. doi:10.1002/lsm.1900090404
.. [2] Walsh JT et al. CLEO '89 (heat of ablation 4.8 kJ/cm³, CW CO2).
.. [3] Vogel A, Venugopalan V. Chem Rev 103 (2003) 577–644, sec. V.D–E (phase explosion,
   confined boiling). doi:10.1021/cr010379n
"""

from __future__ import annotations

import numpy as np


def threshold_fluence(mua, ablation_enthalpy):
    """Blow-off threshold fluence F_th = h_abl / µa [J/m²].

    Parameters
    ----------
    mua : float
        Absorption coefficient [1/m].
    ablation_enthalpy : float
        Energy per volume to ablate [J/m³].
    """
    return ablation_enthalpy / mua


def blow_off_depth(fluence, threshold, mua):
    """Crater depth of a thermally confined short pulse, ln(F/F_th)/µa [m] (0 below threshold)."""
    fluence = np.asarray(fluence, dtype=float)
    return np.where(fluence > threshold, np.log(np.maximum(fluence, threshold) / threshold) / mua, 0.0)


def steady_state_depth(fluence, threshold, ablation_enthalpy):
    """Crater depth of a long pulse with no conduction, (F − F_th)/h_abl [m] (0 below threshold)."""
    fluence = np.asarray(fluence, dtype=float)
    return np.maximum(fluence - threshold, 0.0) / ablation_enthalpy


def superheated_ablation_enthalpy(heat_capacity, water_density, ablation_temperature, body_temperature,
                                  vaporised_fraction, latent_heat):
    """Ablation enthalpy with confined superheating, ρc (T_abl − T_body) + f_v ρ_w L [J/m³].

    The matrix holds its water as liquid up to T_abl, where the fraction f_v of it vaporises
    before the superheated tissue is ejected (Vogel & Venugopalan 2003 sec. V.D–E); f_v = 1 at
    T_abl = T_boil is the full-vaporisation enthalpy.

    Parameters
    ----------
    heat_capacity : float
        Volumetric heat capacity ρc of the wet tissue [J/(m³ K)].
    water_density : float
        Mass of water per volume of tissue ρ_w [kg/m³].
    ablation_temperature, body_temperature : float
        T_abl, T_body [K].
    vaporised_fraction : float
        f_v [-], 0–1.
    latent_heat : float
        L [J/kg].
    """
    return heat_capacity * (ablation_temperature - body_temperature) + vaporised_fraction * water_density * latent_heat
