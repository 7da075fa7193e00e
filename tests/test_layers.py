"""Imports point down (../shared/DESIGN.md, "Layers"): the sync engine, the
rules and the schema never import the domain or the views above them. A
domain module that owns a message type registers it from create_app()."""
import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "app"
# What each lower layer may import from inside the app package.
ALLOWED = {
    # create_app: an RQ job in a worker process builds its site's app.
    "sync": {"sync", "extensions", "models", "settings", "audit", "scope", "create_app",
             "validation_messages", "rules"},
    "rules": {"rules"},
}


def app_imports(path: Path) -> set[str]:
    """The first component under app/ of every module this file imports."""
    package = path.relative_to(APP).parts[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(package[:len(package) - node.level + 1])
                parts = base + (node.module.split(".") if node.module else [])
                names = [parts] if node.module else [base + [a.name] for a in node.names]
            elif node.module and node.module.startswith("app."):
                names = [node.module.split(".")[1:]]
            else:
                continue
            found.update(p[0] for p in names if p)
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names
                         if a.name.startswith("app.") and "." in a.name)
    return found


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_a_lower_layer_imports_nothing_above_it(layer):
    wrong = {}
    for path in sorted((APP / layer).rglob("*.py")):
        above = app_imports(path) - ALLOWED[layer]
        if above:
            wrong[str(path.relative_to(APP))] = sorted(above)
    assert not wrong, f"imports above the layer: {wrong}"
