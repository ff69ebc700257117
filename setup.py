"""Packaging the course's data with the grader (pyproject.toml holds everything else).

exercises/, solutions/ and quizzes/ sit beside grader/ in the project, so a wheel built from the
package alone would lack them, and an installed ``grade`` (``pip install .``, a wheel, pipx,
``pip install git+URL``) could not find a lesson's quiz or reference. The build copies their files into
the wheel as grader/_course/<folder>/, where ``grader.course.course`` looks when no quizzes/ is beside the
installed grader/. An editable install reads the project's own folders and copies nothing.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

COURSE_FOLDERS = {"exercises": (".py", ".ipynb"), "solutions": (".py",), "quizzes": (".yaml",)}
PACKAGED = Path("grader") / "_course"  # grader.course.course.PACKAGED_COURSE


class BuildWithCourseData(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        here = Path(__file__).resolve().parent
        for folder, suffixes in COURSE_FOLDERS.items():
            source = here / folder
            if not source.is_dir():  # a student copy has no solutions/
                continue
            target = Path(self.build_lib) / PACKAGED / folder
            target.mkdir(parents=True, exist_ok=True)
            for path in sorted(source.iterdir()):
                if path.is_file() and path.suffix in suffixes and not path.name.startswith((".", "_")):
                    shutil.copyfile(path, target / path.name)


setup(cmdclass={"build_py": BuildWithCourseData})
