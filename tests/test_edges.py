"""Edges only translate: no portal view, API view or serializer, RDAP view or command writes a
model itself. State changes go through the apps' operations, where permissions, history and
money are handled once, for every door. (The Django admin, the operators' own tool, is not
an edge of the members' and is left out.)"""

from __future__ import annotations

import ast
from pathlib import Path

BUREAU = Path(__file__).resolve().parents[1] / "bureau"
ALWAYS_WRITES = {"save", "delete", "bulk_create", "bulk_update", "get_or_create",
                 "update_or_create"}
QUERY_WRITES = {"create", "update", "delete"}  # on a manager or a queryset
QUERIES = {"objects", "filter", "exclude", "all", "select_related", "prefetch_related"}


def edge_modules() -> list[Path]:
    found = []
    for path in BUREAU.rglob("*.py"):
        relative = path.relative_to(BUREAU).as_posix()
        if "/migrations/" in relative:
            continue
        if (relative.startswith(("web/", "api/views/", "api/serializers/", "rdap/"))
                or path.name in {"views.py", "api.py"} or "/management/commands/" in relative):
            found.append(path)
    return found


def imported_modules(tree: ast.Module) -> set[str]:
    """Names bound to modules by `import x` / `from pkg import module` (operations modules)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and (
                "operations" in node.module or node.module.endswith(("tokens", "clock"))):
            names.update(a.asname or a.name for a in node.names)
    return names


def chain(node: ast.expr) -> list[str]:
    parts = []
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Name):
            parts.append(node.id)
            return parts[::-1]
        else:
            return parts[::-1]


def writes(path: Path) -> list[str]:
    text = path.read_text()
    tree = ast.parse(text)
    modules = imported_modules(tree)
    where = path.relative_to(BUREAU.parent) if BUREAU in path.parents else path.name
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        names = chain(node.func)
        method, receiver = names[-1], names[:-1]
        if len(receiver) == 1 and receiver[0] in modules:
            continue  # a function of an operations module: what edges should call
        if method in ALWAYS_WRITES or (method in QUERY_WRITES and QUERIES & set(receiver)):
            found.append(f"{where}:{node.lineno}: {ast.get_source_segment(text, node.func)}(...)")
    return found


def test_edges_write_no_model_themselves() -> None:
    found = [line for path in edge_modules() for line in writes(path)]
    assert not found, "call an operation instead:\n" + "\n".join(found)


def test_the_check_sees_a_write(tmp_path: Path) -> None:
    sample = tmp_path / "views.py"
    sample.write_text("from bureau.registrar.operations import contacts as ops\n"
                      "def view(request):\n    Contact.objects.filter(pk=1).update(x=1)\n"
                      "    contact.save()\n    ops.delete_contact(contact)\n")
    assert [line.split(": ", 1)[1] for line in writes(sample)] == [
        "Contact.objects.filter(pk=1).update(...)", "contact.save(...)"]
