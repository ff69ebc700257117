"""docs/layout.md's list of the grader's packages is generated from the import contracts (pyproject.toml) and
the packages' docstrings by tools/layout_doc.py: it fails here when it is out of date."""
from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _tool():
    spec = importlib.util.spec_from_file_location("layout_doc", ROOT / "tools" / "layout_doc.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


layout_doc = _tool()


def test_docs_layout_is_up_to_date_with_the_contracts_and_packages():
    page = (ROOT / "docs" / "layout.md").read_text(encoding="utf-8")
    assert layout_doc.BEGIN in page and layout_doc.END in page
    assert layout_doc.updated(page) == page, "docs/layout.md is out of date: run python tools/layout_doc.py"


def _project(root: Path, layers: list[str], packages: dict[str, dict[str, str]]) -> Path:
    contract = ", ".join(f'"{layer}"' for layer in layers)
    (root / "pyproject.toml").write_text(f'[tool.importlinter]\nroot_package = "grader"\n\n'
                                         f'[[tool.importlinter.contracts]]\nid = "layers"\nlayers = [{contract}]\n')
    for package, modules in packages.items():
        (root / "grader" / package).mkdir(parents=True)
        for name, doc in modules.items():
            (root / "grader" / package / name).write_text(f'"""{doc}"""\n')
    return root


def test_the_section_follows_the_layers_and_the_modules(tmp_path):
    root = _project(tmp_path, ["front | side", "base"], {
        "front": {"__init__.py": "The front: commands.\n\nMore.", "app.py": "The app. It runs."},
        "side": {"__init__.py": "A side package.", "b.py": "``B`` | pipes"},
        "base": {"__init__.py": "The base.", "z.py": "Z."},
    })
    section = layout_doc.section(root)
    first, second = "### grader/front/ (layer 1 of 2, beside side)", "### grader/base/ (layer 2 of 2)"
    assert section.index(first) < section.index(second)
    assert "The front: commands." in section and "More." not in section
    assert "| app.py | The app. |" in section and "| b.py | `B` \\| pipes |" in section
    assert "Layers: front \\| side > base." in section
    (root / "grader" / "base" / "new.py").write_text("")  # a module added: the page is out of date
    assert "| new.py | (no docstring) |" in layout_doc.section(root)
    page = f"# Layout\n\n{section}\n\n## After\n"
    assert layout_doc.updated(page, root) != page
    assert layout_doc.updated(layout_doc.updated(page, root), root) == layout_doc.updated(page, root)
    assert layout_doc.updated(page, root).endswith("\n\n## After\n")
