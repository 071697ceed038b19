"""Numba kernels (private): each has a readable numpy twin in the public module that uses it."""
