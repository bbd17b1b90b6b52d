"""The compiled build (setup.py): the text path runs as C extensions.

The benchmark figures are for the compiled build, so a build that silently compiled
nothing must fail here. Installed with CLEANER_PURE=1, set it when running the tests too.
"""

from __future__ import annotations

import ast
import importlib
import os
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def compiled_modules() -> list[str]:
    tree = ast.parse((ROOT / "setup.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "COMPILED" for t in node.targets):
            return list(ast.literal_eval(node.value))
    raise AssertionError("setup.py has no COMPILED list")


MODULES = compiled_modules()
pure = pytest.mark.skipif(os.environ.get("CLEANER_PURE") == "1",
                          reason="installed without compiling (CLEANER_PURE=1)")


def test_the_list_names_existing_modules():
    assert MODULES and all((ROOT / "cleaner" / f"{name}.py").is_file() for name in MODULES)


@pure
@pytest.mark.parametrize("name", MODULES)
def test_module_is_compiled(name):
    built = Path(importlib.import_module(f"cleaner.{name}").__file__)
    assert built.name.endswith(tuple(EXTENSION_SUFFIXES)), (
        f"cleaner.{name} runs interpreted from {built}: the build compiled nothing")
