"""The project package sits below the domain apps (README "Architecture"): nothing in
governance/ imports communities, party_grid, property_rating or deliberation, not even inside a
function. Domain apps register what governance needs in governance/registry.py instead."""

import ast
from pathlib import Path

import governance

DOMAIN_APPS = {"communities", "party_grid", "property_rating", "deliberation"}


def _imported_modules(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


def test_governance_imports_no_domain_app():
    root = Path(governance.__file__).resolve().parent
    found = sorted(
        f"{path.relative_to(root.parent)}: {module}"
        for path in root.rglob("*.py")
        for module in _imported_modules(path)
        if module.split(".")[0] in DOMAIN_APPS
    )
    assert found == [], "governance imports a domain app:\n" + "\n".join(found)
