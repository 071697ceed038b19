"""Heat conduction: the axisymmetric single-MTZ solver and the 3-D brute-force reference."""
