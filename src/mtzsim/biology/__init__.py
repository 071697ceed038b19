"""Biology after the pulse: re-epithelialisation, MENDs, barrier, inflammation, remodeling."""
