"""YAML text -> plain values plus the line of every key path; `${VAR}` expanded, duplicate keys caught."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import yaml

from bot.config.problems import Problem

__all__ = ["Document", "child_path", "item_path", "read_yaml"]

# `${NAME}`, `${NAME:-default}`, and `$${...}` for a literal `${...}`; group 3 is absent when unclosed.
_REFERENCE = re.compile(r"\$(\$?)\{([^}]*)(\})?")
_VARIABLE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?", re.DOTALL)
_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"
# Aliases can make a small file expand enormously ("billion laughs"); a config never needs this many.
_MAX_VALUES = 100_000
_MAX_DEPTH = 64
# The parser's words for the mistakes admins make most, and what to do about them.
_HINTS = (
    ("found character '@'", ' (quote it: "@name")'),
    ("found character '\\t'", " (indent with spaces, not tabs)"),
    ("mapping values are not allowed here", " (quote a value that contains ': ')"),
)


@dataclass(slots=True)
class Document:
    """A YAML file read for validation: values with where each one was written."""

    file: str
    data: object = None
    value_lines: dict[str, int] = field(default_factory=dict)
    """Key path -> 1-based line of its value."""
    key_lines: dict[str, int] = field(default_factory=dict)
    """Key path -> 1-based line of its key (mapping entries only)."""
    from_env: set[str] = field(default_factory=set)
    """Key paths whose value was written with a `${VAR}` reference."""
    problems: list[Problem] = field(default_factory=list)

    def error(self, line: int | None, path: str, message: str) -> None:
        self.problems.append(Problem(file=self.file, line=line, path=path, message=message))


def child_path(parent: str, key: str) -> str:
    return f"{parent}.{key}" if parent else key


def item_path(parent: str, index: int) -> str:
    return f"{parent}[{index}]"


def read_yaml(text: str, *, file: str, env: Mapping[str, str]) -> Document:
    """Parse one YAML document; every problem (syntax, duplicates, unset variables) lands in `.problems`."""
    doc = Document(file=file)
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            doc.data = _Builder(doc, loader, env).build(node, "", 0)
    except _TooLarge as exc:
        doc.error(exc.line, "", f"aliases expand to more than {_MAX_VALUES} values or {_MAX_DEPTH} levels")
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        detail = "; ".join(str(part) for part in (exc.context, exc.problem) if part)
        hint = next((hint for clue, hint in _HINTS if clue in detail), "")
        doc.error(mark.line + 1 if mark else None, "", f"YAML syntax error: {detail}{hint}")
    except yaml.YAMLError as exc:
        doc.error(None, "", f"YAML syntax error: {exc}")
    finally:
        loader.dispose()
    return doc


class _TooLarge(Exception):
    def __init__(self, line: int) -> None:
        self.line = line


class _Builder:
    def __init__(self, doc: Document, loader: yaml.SafeLoader, env: Mapping[str, str]) -> None:
        self.doc = doc
        self.loader = loader
        self.env = env
        self.count = 0

    def build(self, node: yaml.Node, path: str, depth: int) -> object:
        self.count += 1
        line = node.start_mark.line + 1
        if self.count > _MAX_VALUES or depth > _MAX_DEPTH:
            raise _TooLarge(line)
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            items: list[object] = []
            for index, child in enumerate(node.value):
                child_at = item_path(path, index)
                self.doc.value_lines[child_at] = child.start_mark.line + 1
                items.append(self.build(child, child_at, depth + 1))
            return items
        assert isinstance(node, yaml.ScalarNode)
        return self.scalar(node, path, line)

    def mapping(self, node: yaml.MappingNode, path: str, depth: int) -> dict[str, object]:
        first_seen: dict[str, int] = {}
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != _MERGE_TAG:
                key_line = key_node.start_mark.line + 1
                if key_node.value in first_seen:
                    self.doc.error(
                        key_line,
                        child_path(path, key_node.value),
                        f"duplicate key '{key_node.value}' (first written on line {first_seen[key_node.value]});"
                        " YAML would silently keep only the last one",
                    )
                else:
                    first_seen[key_node.value] = key_line
        self.loader.flatten_mapping(node)  # resolves `<<: *anchor` merge keys in place
        result: dict[str, object] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.doc.error(key_node.start_mark.line + 1, path, "a key must be plain text, not a list or mapping")
                continue
            key = str(key_node.value)  # the text as written: `on:` stays "on", `123:` stays "123"
            at = child_path(path, key)
            self.doc.key_lines[at] = key_node.start_mark.line + 1
            self.doc.value_lines[at] = value_node.start_mark.line + 1
            result[key] = self.build(value_node, at, depth + 1)
        return result

    def scalar(self, node: yaml.ScalarNode, path: str, line: int) -> object:
        if node.tag == _STR_TAG and "${" in node.value:
            expanded = self.expand(node.value, path, line)
            self.doc.from_env.add(path)
            if node.style is not None or not expanded:  # quoted, or `${VAR:-}` left empty: text, not null
                return expanded
            # Unquoted `${PORT}` should read like an unquoted 8080 would: resolve its type again.
            tag = self.loader.resolve(yaml.ScalarNode, expanded, (True, False))  # type: ignore[no-untyped-call]
            node = yaml.ScalarNode(tag, expanded, node.start_mark, node.end_mark)
        try:
            return self.loader.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            problem = getattr(exc, "problem", None) or str(exc)
            self.doc.error(line, path, f"cannot read this value: {problem}")
            return None

    def expand(self, text: str, path: str, line: int) -> str:
        def replace(match: re.Match[str]) -> str:
            escaped, inner, closed = match.groups()
            if not closed:
                self.doc.error(line, path, "unclosed '${': write ${NAME} or ${NAME:-default}")
                return match.group(0)
            if escaped:
                return "${" + inner + "}"
            variable = _VARIABLE.fullmatch(inner)
            if variable is None:
                self.doc.error(line, path, f"malformed '${{{inner}}}': write ${{NAME}} or ${{NAME:-default}}")
                return ""
            name, default = variable.groups()
            value = self.env.get(name)
            if default is not None:
                return value if value else default
            if value is None:
                self.doc.error(
                    line, path, f"environment variable {name} is not set (write ${{{name}:-}} to allow it to be empty)"
                )
                return ""
            return value

        return _REFERENCE.sub(replace, text)
