"""Installing a project as pip install . would (a wheel, not editable) into a fresh venv, for tests.

The venv is made with ``python -m venv`` and the wheel is installed into it with --no-deps; its
dependencies (numpy, torch, click...) are not installed again (torch alone takes minutes here): a .pth
file points at the folders where the running interpreter has them. Python appends a .pth's folders
after the venv's own site-packages and reads no .pth file inside them, so the venv's only grader is the
wheel's, even where the running interpreter has the project installed (editable or not).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import click
import nbformat
import numpy
import torch
import watchdog
import yaml

PROJECT_FILES = ("grader", "exercises", "solutions", "quizzes", "pyproject.toml", "setup.py", "MANIFEST.in",
                 "README.md")


def copy_project(source: Path, target: Path) -> Path:
    """The files a build reads, without caches, build folders or a venv (a build must not write in ``source``)."""
    target.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build", "dist", ".venv")
    for name in PROJECT_FILES:
        path = source / name
        if path.is_dir():
            shutil.copytree(path, target / name, ignore=ignore)
        elif path.is_file():
            shutil.copyfile(path, target / name)
    return target


def build_wheel(project: Path, dist: Path) -> Path:
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                           "-q", "-w", str(dist), str(project)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    wheels = list(dist.glob("grade-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def dependency_folders() -> list[str]:
    return sorted({str(Path(module.__file__).resolve().parents[1])  # type: ignore[arg-type]
                   for module in (numpy, torch, click, yaml, nbformat, watchdog)})


def install_in_fresh_venv(wheel: Path, venv: Path) -> Path:
    """A new venv holding the wheel; returns its ``grade`` script."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    Path(purelib, "_grade_test_dependencies.pth").write_text("\n".join(dependency_folders()) + "\n")
    done = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
                           "--no-index", "-q", str(wheel)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return venv / "bin" / "grade"


def run_installed(grade: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``grade ARGS`` from the venv, in ``cwd``, with nothing pointing it at a course or another grader."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "GRADE_COURSE", "GRADE_SEED")}
    return subprocess.run([str(grade), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def imported_grader(grade: Path) -> str:
    python = grade.parent / "python"
    return subprocess.run([str(python), "-c", "import grader; print(grader.__file__)"], check=True,
                          capture_output=True, text=True, cwd="/").stdout.strip()
