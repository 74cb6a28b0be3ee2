"""The folder layout is the architecture (DESIGN.md): these checks keep it that way.

Every page `pages/<topic>.py` has its package `lib/<topic>/`, its unit tests `tests/unit/<topic>/`,
its AppTest file and a catalog entry; packages import only themselves and `lib.common`; pages keep
tensor math out and share one shape.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.helpers import ROOT
from ui.catalog import PAGES

LIB = ROOT / "lib"
TOPICS = sorted(p.stem for p in (ROOT / "pages").glob("*.py") if p.stem != "home")
PACKAGES = sorted(p.name for p in LIB.iterdir() if (p / "__init__.py").exists())
MAX_MODULE_LINES = 500


def _imports(path: Path) -> set[str]:
    """Every module a file imports at run time (imports under `if TYPE_CHECKING:` excluded)."""
    tree = ast.parse(path.read_text())
    typing_only = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If)
                   and getattr(node.test, "id", getattr(node.test, "attr", "")) == "TYPE_CHECKING"
                   for n in ast.walk(node)}
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
    return found


def test_no_module_sits_directly_under_lib():
    assert sorted(p.name for p in LIB.glob("*.py")) == ["__init__.py"]


@pytest.mark.parametrize("topic", TOPICS)
def test_each_page_has_its_package_tests_and_catalog_entry(topic):
    assert (LIB / topic / "__init__.py").exists(), f"lib/{topic}/ is missing"
    assert (LIB / topic / "code.py").exists(), f"lib/{topic}/code.py (the code panel) is missing"
    assert list((ROOT / "tests" / "unit" / topic).glob("test_*.py")), f"tests/unit/{topic}/ is missing"
    assert (ROOT / "tests" / "app" / f"test_{topic}_page.py").exists()
    assert f"pages/{topic}.py" in {p.path for p in PAGES}


@pytest.mark.parametrize("package", PACKAGES)
def test_package_says_what_it_teaches(package):
    doc = ast.get_docstring(ast.parse((LIB / package / "__init__.py").read_text()))
    assert doc and len(doc) > 60, f"lib/{package}/__init__.py needs its two-line docstring"


@pytest.mark.parametrize("package", PACKAGES)
def test_packages_import_only_themselves_and_common(package):
    for path in (LIB / package).rglob("*.py"):
        for name in _imports(path):
            parts = name.split(".")
            if parts[0] == "lib" and len(parts) > 1:
                assert parts[1] in (package, "common"), f"{path.relative_to(ROOT)} imports {name}"
            assert parts[0] not in ("streamlit", "ui", "pages"), f"{path.relative_to(ROOT)} imports {name}"


@pytest.mark.parametrize("path", sorted(LIB.rglob("*.py")), ids=lambda p: str(p.relative_to(LIB)))
def test_modules_stay_readable(path):
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_MODULE_LINES, f"{path.relative_to(ROOT)} has {lines} lines: split it along its sections"


@pytest.mark.parametrize("topic", TOPICS)
def test_pages_share_one_shape_and_hold_no_tensor_math(topic):
    path = ROOT / "pages" / f"{topic}.py"
    tree = ast.parse(path.read_text())
    imported = _imports(path)
    assert "torch" not in {n.split(".")[0] for n in imported}, "tensor math belongs in lib/, not in the page"
    assert "ui" in imported, "pages use the shared helpers as `import ui`"
    assigned = {t.id for node in tree.body if isinstance(node, ast.Assign) for t in node.targets
                if isinstance(t, ast.Name)}
    assert "DEFAULTS" in assigned, "the page's settings dataclass instance is called DEFAULTS"
    functions = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    assert {"intro", "main"} <= functions
    last = tree.body[-1]
    assert isinstance(last, ast.Expr) and getattr(last.value.func, "id", "") == "main", "a page ends with main()"


@pytest.mark.parametrize("path", sorted((ROOT / "pages").glob("*.py")) + sorted(LIB.rglob("*.py")),
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_no_private_function_is_called_across_modules(path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
            owner = node.value
            if isinstance(owner, ast.Name) and owner.id not in ("self", "cls") and owner.id[0].islower():
                assert not (LIB / owner.id).exists() and owner.id not in _module_aliases(path), \
                    f"{path.relative_to(ROOT)} calls {owner.id}.{node.attr}, a private function of another module"


def _module_aliases(path: Path) -> set[str]:
    """Names under which a file imported lib modules (`from lib.x import y as z` -> z)."""
    aliases = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("lib"):
            aliases |= {a.asname or a.name for a in node.names}
        elif isinstance(node, ast.Import):
            aliases |= {a.asname or a.name.split(".")[0] for a in node.names if a.name.startswith("lib")}
    return aliases
