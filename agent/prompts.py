"""Versioned prompt templates, loaded by name from the `prompts/` folder.

A template is a Markdown file with front matter (name, version, description) and
`{placeholder}` fields; literal braces are doubled (`{{`, `}}`). Rendering refuses a
missing or an unknown value, so code and template cannot silently drift apart.
"""

from __future__ import annotations

import string
from functools import lru_cache
from pathlib import Path

import frontmatter

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"


class PromptError(Exception):
    """A template is missing, malformed, or was rendered with the wrong values."""


class Prompt:
    """One template: its identity, its text and the placeholders it expects."""

    def __init__(self, name: str, version: str, text: str, description: str = "") -> None:
        self.name = name
        self.version = version
        self.text = text
        self.description = description
        self.placeholders = _placeholders(name, text)

    @property
    def label(self) -> str:
        """Return `name@version`, the form recorded with each message the prompt produced."""
        return f"{self.name}@{self.version}"

    def render(self, **values: str) -> str:
        """Fill every placeholder; raise PromptError on a missing or unknown value."""
        missing = self.placeholders - values.keys()
        unknown = values.keys() - self.placeholders
        if missing or unknown:
            parts = []
            if missing:
                parts.append(f"missing {sorted(missing)}")
            if unknown:
                parts.append(f"unknown {sorted(unknown)}")
            raise PromptError(f"prompt {self.label}: {'; '.join(parts)}")
        return self.text.format(**values)


def _placeholders(name: str, text: str) -> frozenset[str]:
    found: set[str] = set()
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise PromptError(f"prompt {name}: bad braces ({exc}); double literal braces") from exc
    for _literal, field, spec, conversion in parsed:
        if field is None:
            continue
        # Only plain names: attribute or index access would let a value reach into objects.
        if not field.isidentifier() or spec or conversion:
            raise PromptError(f"prompt {name}: placeholder {{{field}}} must be a plain name")
        found.add(field)
    return frozenset(found)


def available_prompts(directory: Path | None = None) -> list[str]:
    """List the names of the templates in the prompts folder."""
    return sorted(p.stem for p in (directory or PROMPTS_DIR).glob("*.md"))


def load_prompt(name: str, directory: Path | None = None) -> Prompt:
    """Load the template `name` from the prompts folder (cached per process)."""
    return _load(name, (directory or PROMPTS_DIR).resolve())


@lru_cache(maxsize=32)
def _load(name: str, directory: Path) -> Prompt:
    path = directory / f"{name}.md"
    if not path.is_file():
        raise PromptError(f"prompt {name!r} not found at {path}")
    post = frontmatter.loads(path.read_text(encoding="utf-8"))
    declared = str(post.metadata.get("name", ""))
    version = post.metadata.get("version")
    if declared != name:
        raise PromptError(f"{path}: front matter name {declared!r} differs from file name")
    if version is None or not str(version).strip():
        raise PromptError(f"{path}: front matter needs a version")
    description = str(post.metadata.get("description", ""))
    return Prompt(name, str(version), post.content.strip() + "\n", description)
