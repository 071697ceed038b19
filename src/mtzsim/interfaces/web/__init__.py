"""The web app: the planner page and its JSON API (FastAPI), started by ``mtzsim serve``.

One module per concern: :mod:`.models` (request models with their limits), :mod:`.errors` (422,
413 and 429 answers), :mod:`.limits` (request-size limit), :mod:`.jobs` (bounded pool of
simulations), :mod:`.planning` (plan, compare, MTZ and plan details through the clinic and physics
functions), :mod:`.runs` (background scenario runs), :mod:`.api` and :mod:`.page` (routes),
:mod:`.app` (the factory). Research and education tool, not a medical device.
"""

from mtzsim.interfaces.web.app import create_app

__all__ = ["create_app"]
