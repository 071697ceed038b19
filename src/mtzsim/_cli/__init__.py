"""CLI command modules; each defines ``register(app)``. Thin: no physics."""
