"""Grading: run a submission's checks in the sandbox, verify and diagnose, read notebooks as programs,
the confinement gate, one assessment (exercises + quiz). Returns results; prints nothing."""
