"""The versioned JSON document of ``grade check --format json`` (schema in docs/formats.md).

The document is written and read back by the result model itself (``Report.to_dict``, ``Report.from_dict``
in grader/core/model.py), so that the class documents the core reads back are typed there too.
"""
from __future__ import annotations

import json
from grader.core.model import REPORT_SCHEMA_VERSION as SCHEMA_VERSION, Report, ReportDict, confinement_dict, exercise_dict

__all__ = ["SCHEMA_VERSION", "confinement_dict", "exercise_dict", "render_json", "report_dict"]


def report_dict(report: Report) -> ReportDict:
    return report.to_dict()


def render_json(report: Report) -> str:
    return json.dumps(report_dict(report), indent=2) + "\n"
