"""The data's journey is the package list: each stage imports only itself and the stages before it."""

from __future__ import annotations

import ast

import pytest

from conftest import ROOT

PACKAGE = ROOT / "src" / "diplo"
# io -> text -> scoring -> analysis -> run -> report -> cli (the README's "Architecture" section draws it)
ORDER = ["io", "text", "scoring", "analysis", "run", "report", "cli"]
MODULES = sorted(p.relative_to(PACKAGE) for p in PACKAGE.rglob("*.py") if p != PACKAGE / "__init__.py")


def _stage(module) -> str:
    return module.parts[0].removesuffix(".py")


def _diplo_imports(path) -> set[str]:
    """The stages a module imports (``from diplo.X...``, ``import diplo.X...``, ``from diplo import X``)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "diplo":
            parts = node.module.split(".")
            found.update([parts[1]] if len(parts) > 1 else [a.name for a in node.names])
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("diplo."))
    return found & set(ORDER)


def test_every_module_belongs_to_a_stage():
    assert sorted({_stage(m) for m in MODULES} - set(ORDER) - {"data", "__main__"}) == []


@pytest.mark.parametrize("module", MODULES, ids=str)
def test_module_imports_only_its_stage_and_earlier_ones(module):
    stage = _stage(module)
    if stage not in ORDER:
        pytest.skip(f"{module} is not a stage")
    later = sorted(d for d in _diplo_imports(PACKAGE / module) if ORDER.index(d) > ORDER.index(stage))
    assert later == [], f"diplo/{module} imports later stage(s) {later}"


def test_the_facade_names_exist():
    import diplo

    missing = [name for name in diplo.__all__ if getattr(diplo, name, None) is None]
    assert missing == [] and len(diplo.__all__) <= 45
