"""The package's layers, checked on its import graph: a module that reaches up a layer (a
parser that opens the store, a chart that writes, anything below the app that needs
Streamlit) fails here, not in a user's install."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "papertrends"

# Each layer, and the modules it may import (prefixes of dotted names).
ALLOWED = {
    "common": ("papertrends.common",),
    "sources": ("papertrends.sources", "papertrends.common", "papertrends.collection.schema",
                "papertrends.__init__"),
    "indexes": ("papertrends.indexes", "papertrends.common"),
    "analytics": ("papertrends.analytics", "papertrends.common", "papertrends.collection.schema",
                  "papertrends.indexes.terms"),
    "charts": ("papertrends.charts", "papertrends.analytics", "papertrends.common",
               "papertrends.collection.schema"),
    "collection": ("papertrends.collection", "papertrends.indexes", "papertrends.sources",
                   "papertrends.common", "papertrends.__init__"),
}


def _modules() -> dict[str, Path]:
    return {".".join(("papertrends", *path.relative_to(PACKAGE).with_suffix("").parts)): path
            for path in PACKAGE.rglob("*.py")}


def _imports(path: Path) -> set[str]:
    """Every name ``path`` imports, dotted: ``from papertrends.collection import schema`` is
    ``papertrends.collection.schema``, ``from papertrends.collection.store import Store``
    ``papertrends.collection.store.Store``."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {"papertrends.__init__" if name == "papertrends.__version__" else name
            for name in found}


def test_the_layers_import_only_what_lies_below_them():
    broken = []
    for module, path in _modules().items():
        layer = module.split(".")[1]
        if layer not in ALLOWED:
            continue
        for name in _imports(path):
            if name.startswith("papertrends") and not name.startswith(ALLOWED[layer]):
                broken.append(f"{module} imports {name}")
    assert not broken, "\n".join(broken)


@pytest.mark.parametrize("layer", ["analytics", "charts", "sources", "indexes", "common"])
def test_readers_never_import_what_writes_the_collection(layer):
    writers = ("papertrends.collection.store", "papertrends.collection.pipeline",
               "papertrends.collection.fetching", "papertrends.collection.github",
               "papertrends.collection.export", "papertrends.cli")
    for module, path in _modules().items():
        if module.split(".")[1] == layer:
            assert not [n for n in _imports(path) if n.startswith(writers)], module


def test_only_the_app_imports_streamlit_even_indirectly():
    """Import every module outside ``papertrends.app`` in a fresh interpreter: none may pull
    Streamlit in, directly or through another module."""
    below = sorted(m.removesuffix(".__init__") for m in _modules()
                   if not m.startswith("papertrends.app"))
    code = ("import importlib, sys\n"
            f"for name in {below!r}:\n"
            "    importlib.import_module(name)\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'streamlit'))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"


def test_nothing_outside_the_app_imports_it():
    for module, path in _modules().items():
        if not module.startswith("papertrends.app"):
            assert not [n for n in _imports(path) if n.startswith("papertrends.app")], module
