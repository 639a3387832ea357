import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = {"flask", "flask_sqlalchemy", "sqlalchemy", "wtforms", "flask_wtf"}
SOURCES = sorted((ROOT / "pipeline" / "domain").glob("*.py")) + [ROOT / "pipeline" / "evaluate_cli.py"]


def _imported_roots(path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module.split(".")[0]


def test_there_are_domain_modules_to_check():
    assert len(SOURCES) >= 8


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_module_imports_no_framework(path):
    assert not FORBIDDEN & set(_imported_roots(path))


def test_the_scanner_sees_imports():
    sample = ROOT / "tests" / "domain" / "test_domain_is_plain_python.py"
    assert {"ast", "pathlib", "pytest"} <= set(_imported_roots(sample))
