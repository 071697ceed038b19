"""The single-MTZ domain's refusals name the user setting to change (mtzsim.errors.ModelDomainError)."""

import pytest

from mtzsim.errors import InputError, ModelDomainError
from mtzsim.interfaces.services import mtz_domain_field, named_field_errors
from mtzsim.physics.heat import axisym as heat
from mtzsim.physics.laser import make_beam
from mtzsim.physics.mtz import Numerics, domain
from mtzsim.physics.tissue import get_tissue


def test_a_spot_below_the_finest_cell_names_the_spot():
    # 6 cells per spot at the finest cell: a spot of 0.5 MIN_CELL × 6 cannot be resolved
    beam = make_beam("co2", energy=1e-3, spot_diameter=0.5 * domain.MIN_CELL * domain.MIN_CELLS_PER_SPOT)
    with pytest.raises(ModelDomainError) as e:
        domain.check_inputs(beam, Numerics())
    assert e.value.field == "laser.spot" and mtz_domain_field(e.value) == "laser.spot"
    assert isinstance(e.value, ValueError) and "too small for the single-MTZ grid" in str(e.value)


def test_a_grid_past_the_cell_budget_names_the_cell():
    beam = make_beam("co2", energy=10e-3, spot_diameter=120e-6)
    with pytest.raises(ModelDomainError) as e:
        domain.build_grid(beam, get_tissue("face"), Numerics(cell=0.2e-6))
    assert e.value.field == "numerics.mtz_cell" and f"(> {domain.MAX_CELLS})" in e.value.message


@pytest.mark.parametrize("radial, deep", [(False, True), (True, False)])
def test_damage_past_the_largest_domain_names_the_energy(radial, deep):
    h = 10e-6
    grid = heat.AxisymmetricGrid(nr=10, nz=int(round(domain.MAX_DEPTH / h)), h=h)
    numerics = Numerics(cell=h, radial_margin=domain.MAX_MARGIN)
    with pytest.raises(ModelDomainError) as e:
        domain.grown(numerics, grid, radial, deep)
    assert e.value.field == "laser.energy"


def test_the_scenario_edge_turns_the_refusal_into_one_named_input_error():
    with pytest.raises(InputError) as e, named_field_errors():
        raise ModelDomainError("laser.spot", "spot_diameter 1 um is too small")
    assert e.value.field == "laser.spot" and e.value.exit_code == 2 and str(e.value) == "laser.spot: spot_diameter 1 um is too small"


def test_a_plain_value_error_names_no_domain_field():
    assert mtz_domain_field(ValueError("spot")) is None


def test_a_refusal_survives_the_trip_from_a_worker_process():
    # a sweep's Dask worker pickles the exception to the client: it must come back with its field
    import pickle

    from mtzsim.physics.field.cost import FieldTooLarge

    for err in (ModelDomainError("laser.spot", "too small"), FieldTooLarge("pattern.area", "too large")):
        back = pickle.loads(pickle.dumps(err))
        assert type(back) is type(err) and back.field == err.field and str(back) == str(err)
    assert str(FieldTooLarge("pattern.area", "too large")) == "pattern.area: too large"
