"""Dependency cycles in a graph of milestone ids, for the loader's checks."""

from __future__ import annotations


def find_cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """Every dependency cycle once, each as the list of ids along it; an id
    that is not a key of ``graph`` depends on nothing."""
    cycles: list[list[str]] = []
    state: dict[str, str] = {}
    for root in graph:
        if state.get(root):
            continue
        stack, path = [(root, iter(graph[root]))], [root]
        state[root] = "open"
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = "done"
                stack.pop()
                path.pop()
            elif state.get(child) == "open":
                cycles.append(path[path.index(child) :])
            elif child not in state:
                state[child] = "open"
                stack.append((child, iter(graph.get(child, ()))))
                path.append(child)
    return cycles
