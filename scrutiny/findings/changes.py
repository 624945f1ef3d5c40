"""Two draft versions compared as tracked changes, item by item.

Words are diffed with the standard library's `difflib`; insertions are
wrapped in <ins> and deletions in <del>, each with visually hidden words
("added", "removed") so screen readers announce what sighted readers see as
underlining and strike-through.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from markupsafe import Markup, escape

TOKEN = re.compile(r"\s+|\w+|[^\w\s]")

ADDED, REMOVED, CHANGED, UNCHANGED = "added", "removed", "changed", "unchanged"


@dataclass
class FieldChange:
    label: str
    html: Markup
    changed: bool


@dataclass
class ItemChange:
    key: str
    title: str
    status: str
    fields: list[FieldChange] = field(default_factory=list)


@dataclass
class PartChanges:
    name: str
    items: list[ItemChange]

    @property
    def changed(self) -> list[ItemChange]:
        return [i for i in self.items if i.status != UNCHANGED]

    @property
    def unchanged(self) -> list[ItemChange]:
        return [i for i in self.items if i.status == UNCHANGED]


def _inserted(text: str) -> str:
    return (f'<ins class="app-change app-change--added"><span class="govuk-visually-hidden">[added: </span>'
            f'{escape(text)}<span class="govuk-visually-hidden">]</span></ins>')


def _deleted(text: str) -> str:
    return (f'<del class="app-change app-change--removed"><span class="govuk-visually-hidden">[removed: </span>'
            f'{escape(text)}<span class="govuk-visually-hidden">]</span></del>')


def _runs(a: list[str], b: list[str]) -> list[tuple[bool, str, str]]:
    """(same?, old text, new text) runs. A change is kept whole across the
    spaces between its words ("[removed: doubled in][added: fell by]", not
    four fragments), which reads as an editor would mark it."""
    runs: list[tuple[bool, str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        runs.append((op == "equal", "".join(a[i1:i2]), "".join(b[j1:j2])))
    merged: list[tuple[bool, str, str]] = []
    for index, (same, old, new) in enumerate(runs):
        between_changes = (same and not old.strip() and 0 < index < len(runs) - 1
                           and not runs[index + 1][0] and merged and not merged[-1][0])
        if between_changes:
            same = False
        if merged and not same and not merged[-1][0]:
            _, old_before, new_before = merged.pop()
            old, new = old_before + old, new_before + new
        merged.append((same, old, new))
    return merged


def tracked(old: str, new: str) -> Markup:
    """`new` with the words that differ from `old` marked up as tracked changes."""
    out = []
    for same, before, after in _runs(TOKEN.findall(old or ""), TOKEN.findall(new or "")):
        if same:
            out.append(str(escape(after)))
            continue
        if before:
            out.append(_deleted(before))
        if after:
            out.append(_inserted(after))
    return Markup("".join(out))  # noqa: S704 - every piece of text above is escaped


def _lines(items) -> str:
    return "\n".join(items)


def _fields(part: str, item: dict) -> list[tuple[str, str]]:
    """The item's parts as (label, text) pairs, in reading order."""
    if part == "sections":
        return [("Heading", item.get("heading", "")), ("Text", item.get("body", ""))]
    if part == "findings":
        return [
            ("Number", str(item.get("number", ""))),
            ("Title", item.get("title", "")),
            ("Themes", ", ".join(item.get("themes", []))),
            ("Narrative", item.get("text", "")),
            ("Evidence", _lines(f"{e['title']}" + (f" ({e['note']})" if e.get("note") else "")
                                for e in item.get("evidence", []))),
        ]
    return [
        ("Number", str(item.get("number", ""))),
        ("Recommendation", item.get("text", "")),
        ("Why the group makes it", item.get("explanation", "")),
        ("Addressed to", ", ".join(item.get("addressees", []))
         + (f" ({item['addressed_to']})" if item.get("addressed_to") else "")),
        ("Rests on findings", ", ".join(str(n) for n in item.get("findings", []))),
        ("Measure of success", item.get("measure", "")),
        ("Timescale", item.get("timescale", "")),
        ("Quality checks overridden", _lines(f"{o['item']}: {o['reason']}" for o in item.get("overrides", []))),
    ]


def _title(part: str, item: dict) -> str:
    if part == "sections":
        return item.get("heading", "Section")
    kind = "Finding" if part == "findings" else "Recommendation"
    title = f"{kind} {item.get('number', '')}"
    if part == "findings" and item.get("title"):
        title += f": {item['title']}"
    return title


def _item_change(part: str, old: dict | None, new: dict | None) -> ItemChange:
    if old is None:
        fields = [FieldChange(label, tracked("", text), True) for label, text in _fields(part, new) if text]
        return ItemChange(new["key"], _title(part, new), ADDED, fields)
    if new is None:
        fields = [FieldChange(label, tracked(text, ""), True) for label, text in _fields(part, old) if text]
        return ItemChange(old["key"], _title(part, old), REMOVED, fields)
    fields = []
    for (label, before), (_, after) in zip(_fields(part, old), _fields(part, new), strict=True):
        if before or after:
            fields.append(FieldChange(label, tracked(before, after), before != after))
    status = CHANGED if any(f.changed for f in fields) else UNCHANGED
    return ItemChange(new["key"], _title(part, new), status, fields)


PARTS = (("sections", "Report text"), ("findings", "Findings"), ("recommendations", "Recommendations"))


def compare(old: dict, new: dict) -> list[PartChanges]:
    """Each part of the text with every item marked added, removed, changed or
    unchanged; items are matched by their `key`, so renumbering shows as a
    change of number rather than a removal and an addition."""
    parts = []
    for part, name in PARTS:
        before = {item["key"]: item for item in old.get(part, [])}
        after = new.get(part, [])
        items = [_item_change(part, before.pop(item["key"], None), item) for item in after]
        items += [_item_change(part, item, None) for item in before.values()]
        parts.append(PartChanges(name, items))
    return parts
