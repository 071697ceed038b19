"""Parameters as data with pedigree: the tables and their registries, device and patient presets."""
