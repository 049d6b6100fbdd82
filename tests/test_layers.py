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



# --- no module over 800 lines (issue #13) -----------------------------------------------------------------
MAX_LINES = 800


@pytest.mark.parametrize("module", MODULES, ids=str)
def test_no_module_is_over_800_lines(module):
    lines = len((PACKAGE / module).read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"diplo/{module} has {lines} lines (max {MAX_LINES}): split it into cohesive modules"


# --- private stays private ---------------------------------------------------------------------------------
# A ``_name`` is used only in the module that defines it, or among the modules of the private package
# diplo.scoring._engine (and only diplo.scoring imports that package).  Tests may use the privates of the
# module they test; the oracles in tests/oracles/ use none.
ENGINE = "diplo.scoring._engine"


def _module_name(path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _defined_privates(tree) -> set[str]:
    """Private names a module defines: functions, classes, globals, class attributes, ``self._x = ...``."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.alias):
            names.add(node.asname or node.name.split(".")[0])
    return {n for n in names if _private(n)}


_TREES = {_module_name(PACKAGE / m): ast.parse((PACKAGE / m).read_text(encoding="utf-8")) for m in MODULES}
_TREES["diplo"] = ast.parse((PACKAGE / "__init__.py").read_text(encoding="utf-8"))
_DEFINED = {name: _defined_privates(tree) for name, tree in _TREES.items()}


def _crossings(tree, me: str, *, library: bool = True) -> list[str]:
    """Private names of other diplo modules that ``tree`` (the module ``me``) imports or reaches."""

    def shares(other: str) -> bool:  # modules of the private engine package share their privates
        return other == me or (me.startswith(ENGINE) and other.startswith(ENGINE))

    found, modules = [], {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "diplo":
            if ENGINE in node.module and not me.startswith("diplo.scoring"):
                found.append(f"line {node.lineno}: imports the private package {node.module}")
            for a in node.names:
                if _private(a.name) and not shares(node.module):
                    found.append(f"line {node.lineno}: from {node.module} import {a.name}")
                modules[a.asname or a.name] = f"{node.module}.{a.name}"
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] == "diplo":
                    modules[a.asname or a.name.split(".")[0]] = a.name
                    if ENGINE in a.name and not me.startswith("diplo.scoring"):
                        found.append(f"line {node.lineno}: imports the private package {a.name}")
    own = _DEFINED.get(me, set()) | (_defined_privates(tree) if not library else set())
    elsewhere = {n for other, names in _DEFINED.items() if not shares(other) for n in names} - own
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Attribute) and _private(node.attr)):
            continue
        target = node.value.id if isinstance(node.value, ast.Name) else None
        if target in modules and not shares(modules[target]):  # module._name
            found.append(f"line {node.lineno}: {target}.{node.attr}")
        elif target not in ("self", "cls") and node.attr in elsewhere:  # obj._method() of another module's object
            found.append(f"line {node.lineno}: {ast.unparse(node)} (defined in another module)")
    return found


@pytest.mark.parametrize("module", sorted(_TREES), ids=str)
def test_no_private_name_crosses_modules(module):
    assert _crossings(_TREES[module], module) == []


@pytest.mark.parametrize("path", sorted((ROOT / "tests" / "oracles").glob("*.py")), ids=lambda p: p.name)
def test_oracles_use_no_library_private(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert _crossings(tree, f"oracles.{path.stem}", library=False) == []


def test_the_private_check_sees_a_crossing():
    tree = ast.parse("from diplo.scoring.match import _Group\nimport diplo.scoring.tone as t\n"
                     "t._resolve_dictionary\nx = m._leftmost(1)\n")
    assert len(_crossings(tree, "diplo.analysis.example")) == 3
    assert _crossings(ast.parse("from diplo.scoring._engine.tokens import TokenTable"), "diplo.report.x") != []
