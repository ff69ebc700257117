"""Lessons: each a package with lesson.yaml (exercises, hints, mistakes), checks and predictions."""
