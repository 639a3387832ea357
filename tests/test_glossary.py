"""One word for each thing: no page, template, message or English translation uses a word docs/glossary.md forbids."""

import ast
import re
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = ROOT / "docs" / "glossary.md"
CATALOG = ROOT / "pipeline" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
# Old names the Excel import still accepts as column headers, so that last year's files keep working.
ALLOWED = {("pipeline/imports/columns.py", "注册日期")}


def forbidden_terms() -> dict[str, str]:
    """The table 不用的说法 of the glossary: forbidden word → the word to use."""
    section = GLOSSARY.read_text(encoding="utf-8").split("## 不用的说法", 1)[1]
    rows = [line.strip("|").split("|") for line in section.splitlines() if line.startswith("| ")]
    return {cells[0].strip(): cells[1].strip() for cells in rows[1:]}


def _python_texts(path: Path) -> list[str]:
    """The string literals of a module, docstrings left out (they are for developers, not users)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr)
                  and isinstance(node.value, ast.Constant)}
    return [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in docstrings]


def _user_texts() -> list[tuple[str, str]]:
    texts = []
    for path in sorted((ROOT / "templates").rglob("*")):
        if path.suffix in (".html", ".txt"):
            texts.append((str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")))
    for path in sorted((ROOT / "pipeline").rglob("*.py")):
        texts.extend((str(path.relative_to(ROOT)), text) for text in _python_texts(path))
    with CATALOG.open("rb") as handle:
        texts.extend(("english catalog", message.string) for message in read_po(handle)
                     if message.id and isinstance(message.string, str))
    return texts


def test_the_glossary_names_its_forbidden_words():
    terms = forbidden_terms()
    assert {"赛道", "序列", "注册日期"} <= set(terms) and all(terms.values())


def test_no_user_facing_text_uses_a_forbidden_word():
    terms = forbidden_terms()
    pattern = re.compile("|".join(re.escape(term) for term in sorted(terms, key=len, reverse=True)))
    found = sorted({(where, match) for where, text in _user_texts() for match in pattern.findall(text)
                    if (where, match) not in ALLOWED})
    assert found == [], "\n".join(f"{where}: {word} → {terms[word]}" for where, word in found)
