"""Calibration against the literature tables and the validation cases."""
