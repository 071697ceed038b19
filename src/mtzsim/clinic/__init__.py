"""The patient and the clinic: scars, outcome, risk, cohort, planner, comparators."""
