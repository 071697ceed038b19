"""Schema fuzzing of the web API (schemathesis over /openapi.json): no input gives a 5xx.

Every request goes through the real app: routing, the request models, the request-size limit, the
unit parsers shared with the CLI (``plan_inputs``, ``parse_scenario``, ``comparison_inputs``,
``check_limit``, ``make_beam``) and the error handlers. Only the model runs behind the validation
are replaced by fast fakes (planner search, modality comparison, the MTZ solver, the plan detail,
the background run), because random valid patients would each build a physics table (minutes);
the fakes run after the real validation, so a 5xx from validation still fails the test.
"""

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402

from mtzsim.interfaces.web import create_app, planning  # noqa: E402
from mtzsim.interfaces.web.runs import RunBook  # noqa: E402


class _Answer:
    def __init__(self, **d):
        self.d = d

    def to_dict(self):
        return dict(self.d)


def _fake_plan(scars, *, fitzpatrick, max_downtime=None, max_pih=None, max_sessions=3, site="cheek", age=30.0,
               modalities=(), top=5, cache=None, **kw):
    from mtzsim.clinic import planner

    planner._check(scars, fitzpatrick, max_downtime, max_pih, max_sessions, tuple(modalities))  # the core's refusals
    if site != "cheek":
        raise ValueError(f"site: the physics table's healing is built for the cheek only, got {site!r}")
    return _Answer(plans=[], pareto=[], reason="fake", nearest=[], candidates=0, feasible=0)


def _fake_compare(scars, *, fitzpatrick, **kw):
    if not 1 <= int(fitzpatrick) <= 6:
        raise ValueError(f"fitzpatrick must be 1–6, got {fitzpatrick!r}")
    return _Answer(modalities={})


class _FakeMtz:
    def to_dict(self):
        return {"ablation_depth_um": 1.0, "energy_partition_mj": {}}


def _fake_detail(req, *, cache=None):
    _scars, _md, _mp, mods = planning.plan_inputs(req.plan)
    if req.choice.modality not in mods:
        raise planning.InputError("choice.modality", "not among the plan's modalities")
    return {}


@pytest.fixture(scope="module", autouse=True)
def _fast_models():
    import mtzsim.clinic.comparators as cmp
    import mtzsim.clinic.planner as pl
    import mtzsim.physics.mtz as mtz
    import mtzsim.verify.calibration as cal

    mp = pytest.MonkeyPatch()
    mp.setattr(pl, "plan", _fake_plan)
    mp.setattr(cmp, "compare", _fake_compare)
    mp.setattr(mtz, "simulate_mtz", lambda beam, **kw: _FakeMtz())
    mp.setattr(cal, "prediction_intervals", lambda beam, **kw: {})
    mp.setattr(planning, "run_detail", _fake_detail)
    mp.setattr(RunBook, "execute", lambda self, rid, scenario: self._set(rid, status="done"))
    yield
    mp.undo()


APP = create_app(workers=2, queue=50)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@schema.parametrize()
@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_no_input_gives_a_server_error(case):
    response = case.call_and_validate(checks=[not_a_server_error])
    SEEN.setdefault(f"{case.method} {case.path}", set()).add(response.status_code)


SEEN: dict[str, set] = {}


def test_the_fuzzing_reached_both_answers():
    """The examples were both accepted (2xx) and refused (4xx, mostly 422) on the POST endpoints: the fuzz tested validation."""
    posts = {k: v for k, v in SEEN.items() if k.startswith("POST")}
    posts = {k: v for k, v in posts.items() if k.split()[1] != "/api/health"}
    assert len(posts) >= 6, SEEN
    assert all(any(400 <= c < 500 for c in v) for v in posts.values()), posts
    assert sum(422 in v for v in posts.values()) >= 5, posts
    assert sum(any(200 <= c < 300 for c in v) for v in posts.values()) >= 4, posts
