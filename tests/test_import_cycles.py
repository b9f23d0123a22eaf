"""No module of revdesk imports one that imports it back, however long the way round (imports made inside a
function count: they are circles at run time too; a type named only for the checker does not). The layer and
room rules themselves are import-linter contracts in pyproject.toml, which CI checks with `lint-imports`."""

from __future__ import annotations

import grimp

ROOTS = ("revdesk.core", "revdesk.db", "revdesk.tui", "revdesk.sequences", "revdesk.fixtures")


def circles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The graph's strongly connected parts of more than one module (Tarjan's algorithm, without recursion)."""
    edges = {m: sorted(i for i in graph.find_modules_directly_imported_by(m) if i in graph.modules)
             for m in sorted(graph.modules)}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in edges:
        if root in index:
            continue
        work = [(root, iter(edges[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    part = []
                    while True:
                        top = stack.pop()
                        on_stack.discard(top)
                        part.append(top)
                        if top == node:
                            break
                    if len(part) > 1:
                        found.append(sorted(part))
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(edges[child])))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return found


def test_revdesk_has_no_import_circle():
    graph = grimp.build_graph(*ROOTS, cache_dir=None, exclude_type_checking_imports=True)
    assert len(graph.modules) > 200, "the whole of revdesk was read"
    assert circles(graph) == []


def test_a_circle_three_modules_long_is_found():
    graph = grimp.ImportGraph()
    for importer, imported in [("a.x", "a.y"), ("a.y", "a.z"), ("a.z", "a.x"), ("a.z", "a.w"), ("a.w", "a.v")]:
        graph.add_import(importer=importer, imported=imported)
    assert circles(graph) == [["a.x", "a.y", "a.z"]]
