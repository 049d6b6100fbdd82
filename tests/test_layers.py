"""The data's journey is the module list: each module imports only the stages before it."""

from __future__ import annotations

import ast

import pytest

from conftest import ROOT

ORDER = ["codebook", "resources", "io", "load", "clean", "metadata", "segment", "dedupe", "corpus", "tokens", "match", "vader",
         "tone", "themes", "actors", "score", "topics", "aggregate", "validate", "params", "pipeline", "plots",
         "report", "cli"]
MODULES = sorted(p.stem for p in (ROOT / "src" / "diplo").glob("*.py") if p.stem != "__init__")


def _diplo_imports(module: str) -> set[str]:
    tree = ast.parse((ROOT / "src" / "diplo" / f"{module}.py").read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "diplo":
            parts = node.module.split(".")
            found.update([parts[1]] if len(parts) > 1 else [a.name for a in node.names])
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("diplo."))
    return found & set(ORDER)


def test_every_module_has_a_place_in_the_order():
    assert sorted(set(MODULES) - set(ORDER)) == [], "add new modules to ORDER (and the brief's module list)"


@pytest.mark.parametrize("module", [m for m in MODULES if m in ORDER])
def test_module_imports_only_earlier_stages(module):
    later = sorted(d for d in _diplo_imports(module) if ORDER.index(d) >= ORDER.index(module))
    assert later == [], f"diplo.{module} imports later stage(s) {later}"
