"""Stage contract, the treatment chain, cache and progress: wiring only, no physics."""
