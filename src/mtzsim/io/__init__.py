"""Input and output: scenario files, the run registry, serialisation."""
