"""What is wrong with a config file, said so that an admin can fix it without reading code."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

__all__ = ["ConfigError", "Problem", "Severity"]

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Problem:
    """One finding, printed as `config.yaml:31: feeds[4].publish[1]: no channel ...`."""

    file: str
    line: int | None
    """1-based line of the offending value (or of its key when the value is missing)."""
    path: str
    """Key path such as `telegram.pace.per_chat_per_second` or `feeds[4].publish[1]`; "" for the file."""
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        parts = [where]
        if self.path:
            parts.append(self.path)
        # Warnings keep the `file:line: path: message` shape so tools that parse errors parse them too.
        parts.append(self.message if self.severity == "error" else f"warning: {self.message}")
        return ": ".join(parts)


class ConfigError(Exception):
    """The config cannot be used; `problems` lists every error found (warnings ride along)."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]
