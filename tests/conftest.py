"""Shared test set-up: the result cache of every test session lives in a temporary folder."""

import pytest


@pytest.fixture(autouse=True, scope="session")
def _session_cache_dir(tmp_path_factory):
    """Point ``MTZSIM_CACHE_DIR`` at a per-session folder so tests never touch the user's cache."""
    mp = pytest.MonkeyPatch()
    mp.setenv("MTZSIM_CACHE_DIR", str(tmp_path_factory.mktemp("mtzsim-cache")))
    yield
    mp.undo()
