"""Reading a YAML document the gateway is configured with, refusing what YAML hides.

``yaml.safe_load`` says nothing when a mapping gives a key twice (it keeps the
last: a field mapped twice, or a source pasted twice, starts fine and ignores
the first), and it expands aliases without bound: nine anchors of nine aliases
each (a few hundred bytes) are 4.4e9 values, and the start hung for ever
walking them. Here the document's nodes are looked at before anything is built:

- a key given twice in one mapping is refused, naming both lines;
- aliases are allowed (shared headers are a fair use), but the document may
  stand for at most ``MAX_VALUES`` values once they are expanded, and an alias
  inside its own anchor (a recursive document) is refused;
- nesting too deep to read is refused instead of raising ``RecursionError``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml

MAX_VALUES = 1_000_000
"""Values (scalars, lists, mappings) a document may expand to: the demo's sources.yaml is
about 1,500; a thousand sources of a thousand fields would still fit."""


class YamlProblem(ValueError):
    """The text is not YAML the gateway will read; the message says where and why."""


def load_yaml(text: str) -> Any:
    """The document's value, built only after its nodes are checked (see the module)."""
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None
        repeated = next(_repeated_keys(root, "", set()), None)
        if repeated is not None:
            raise YamlProblem(repeated)
        values = _expanded_size(root, {}, set())
        if values > MAX_VALUES:
            raise YamlProblem(
                f"its aliases expand to {values:,} values, more than {MAX_VALUES:,} "
                "(a config never needs that many; is an anchor aliased within aliases?)"
            )
        return loader.construct_document(root)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" (line {mark.line + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise YamlProblem(f"not valid YAML{line}: {problem}") from None
    except RecursionError:
        raise YamlProblem("nested too deeply to read") from None
    finally:
        loader.dispose()


def _repeated_keys(node: yaml.Node, where: str, seen: set[int]) -> Iterator[str]:
    """Keys given twice, each node looked at once (an aliased node is the anchored one)."""
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            inner = f"{where}.{key}" if where else key
            if isinstance(key_node, yaml.ScalarNode) and key != "<<":
                line = key_node.start_mark.line + 1
                if key in first_line:
                    yield (
                        f"line {line}: '{inner}' is given twice (first on line "
                        f"{first_line[key]}); YAML would keep only the last"
                    )
                else:
                    first_line[key] = line
            yield from _repeated_keys(value_node, inner, seen)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _repeated_keys(item, f"{where}[{index}]", seen)


def _expanded_size(node: yaml.Node, sizes: dict[int, int], open_nodes: set[int]) -> int:
    """Values ``node`` stands for with its aliases expanded; an alias node is the anchored
    node itself, so each distinct node is counted once and multiplied by its uses."""
    known = sizes.get(id(node))
    if known is not None:
        return known
    if id(node) in open_nodes:
        line = node.start_mark.line + 1
        raise YamlProblem(f"line {line}: an anchor is aliased inside itself (a recursive document)")
    open_nodes.add(id(node))
    size = 1
    if isinstance(node, yaml.SequenceNode):
        size += sum(_expanded_size(item, sizes, open_nodes) for item in node.value)
    elif isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            size += _expanded_size(key_node, sizes, open_nodes)
            size += _expanded_size(value_node, sizes, open_nodes)
    open_nodes.discard(id(node))
    sizes[id(node)] = size
    return size
