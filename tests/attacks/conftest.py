"""Every test in this folder is an attack on the sandbox or the grader's trusted side: marked ``attack``, which
.ci/run selects (``-m attack``) to run them again as an unprivileged user and as root without CAP_SYS_ADMIN."""
from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(item.fspath).resolve().parents:
            item.add_marker(pytest.mark.attack)
