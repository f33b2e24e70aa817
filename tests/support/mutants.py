"""Documents with one thing wrong, at every place: for checking that a quick validator
(a compiled schema, ``phoenix_dash.quick_schema``) never accepts what jsonschema refuses."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson

# One of each kind a schema tells apart: null, a number below the usual minimums, a boolean,
# an empty and an odd string (a pattern's $ vs \Z), an empty list, an object of a stray key.
WRONG_VALUES: list[Any] = [None, -1, True, "", "zz z\n", [], {"zz_unknown": 1}]


def fresh(value: Any) -> Any:
    return orjson.loads(orjson.dumps(value))


def mutants(document: Any, wrong_values: list[Any] = WRONG_VALUES) -> Iterator[Any]:
    """``document`` with one thing wrong: a key removed, a value replaced by one of another
    type or shape, an unknown key added, at every place in it."""

    def places(value: Any, path: tuple[Any, ...]) -> Iterator[tuple[Any, ...]]:
        yield path
        children = (
            value.items()
            if isinstance(value, dict)
            else enumerate(value)
            if isinstance(value, list)
            else []
        )
        for key, item in children:
            yield from places(item, (*path, key))

    def at(root: Any, path: tuple[Any, ...]) -> Any:
        for key in path:
            root = root[key]
        return root

    for path in places(document, ()):
        if path:
            parent_path, key = path[:-1], path[-1]
            removed = fresh(document)
            del at(removed, parent_path)[key]
            yield removed
            for wrong in wrong_values:
                replaced = fresh(document)
                at(replaced, parent_path)[key] = fresh(wrong)
                yield replaced
        if isinstance(at(document, path), dict):
            added = fresh(document)
            at(added, path)["zz_unknown"] = 1
            yield added
