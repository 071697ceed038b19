"""Physics of one microbeam and of the treated field: laser, optics, tissue, ablation, heat, damage."""
