"""The starter catalogue's descriptions and example messages (data/catalogue_examples.txt): what triage learns each
category from before a community has appeals of its own. Seeded once into the categories by a migration (and by
``demo_city --reset``); administrators edit them afterwards as data.

The file: ``# code`` starts a category, the ``= `` line after it is its description, every other line one
example message; any other line starting with ``#`` is a comment."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

_CODE = re.compile(r"#\s*([a-z0-9][a-z0-9_-]*)")

STARTER_FILE = Path(__file__).resolve().parent / "data" / "catalogue_examples.txt"


@dataclass
class Starter:
    description: str = ""
    examples: list[str] = field(default_factory=list)


def read(path: Path = STARTER_FILE) -> dict[str, Starter]:
    out: dict[str, Starter] = {}
    current = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("#"):
            if code := _CODE.fullmatch(line):
                current = out.setdefault(code.group(1), Starter())
            continue
        if not line or current is None:
            continue
        elif line.startswith("= "):
            current.description = f"{current.description} {line[2:].strip()}".strip()
        elif line not in current.examples:
            current.examples.append(line)
    return out


def seed(categories, *, replace: bool = False) -> int:
    """Fill the description and examples of each category (a queryset or the migration's model manager) whose code
    the starter file knows and that has none yet (``replace``: whatever it has); returns how many changed."""
    starters = read()
    filled = 0
    for category in categories.filter(code__in=list(starters)):
        starter = starters[category.code]
        changed = []
        if (replace or not category.description) and starter.description:
            category.description, changed = starter.description, [*changed, "description"]
        if (replace or not category.examples.strip()) and starter.examples:
            category.examples, changed = "\n".join(starter.examples), [*changed, "examples"]
        if changed:
            category.save(update_fields=changed)
            filled += 1
    return filled


def add_subcategory(categories, *, family: str, code: str, name: str, priority: str, respond_hours: float,
                    resolve_hours: float) -> None:
    """A migration's new subcategory at the end of ``family`` (routed as the family), with its starter words; nothing
    when the family is gone or the code is taken. ``categories``: the migration's model manager."""
    parent = categories.filter(code=family).first()
    if parent is None or categories.filter(code=code).exists():
        return
    last = parent.children.order_by("-position").values_list("position", flat=True).first() or parent.position
    categories.create(parent=parent, code=code, name=name, priority=priority, respond_hours=respond_hours,
                      resolve_hours=resolve_hours, position=last + 1)
    seed(categories.filter(code=code))
