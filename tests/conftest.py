"""Shared test set-up: the result cache of every test session lives in a temporary folder."""

import pytest


@pytest.fixture(autouse=True, scope="session")
def _session_cache_dir(tmp_path_factory, worker_id):
    """Point ``MTZSIM_CACHE_DIR`` at one folder of this test run so tests never touch the user's cache.

    The pytest-xdist workers of one run share it (the folder above each worker's base folder is the run's): a
    wound or table one worker simulated is read by the other, as two processes of a user share theirs. The cache
    writes each entry atomically and keys it by the model version, so a hit is the result the test would have
    computed; the tests that count hits and misses keep caches of their own (test_cache.py, test_chain.py)."""
    base = tmp_path_factory.getbasetemp()
    folder = (base.parent if worker_id != "master" else base) / "mtzsim-cache"
    folder.mkdir(exist_ok=True)
    mp = pytest.MonkeyPatch()
    mp.setenv("MTZSIM_CACHE_DIR", str(folder))
    yield
    mp.undo()
