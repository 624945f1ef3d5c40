"""Office Open XML (Word, Excel, PowerPoint): what the package says it is,
and what it would do when opened.

Refused: VBA projects and Excel 4.0 macro sheets (by content type, part name
and relationship type), embedded OLE objects, and any relationship that
reaches outside the file (``TargetMode="External"``: an attached template on
a web server, a linked picture, a linked workbook) other than a plain
hyperlink, which only opens when the reader clicks it and is normal in
evidence. The part bytes themselves are checked in ``zips`` (OLE magic).
"""
from __future__ import annotations

import zipfile

from scrutiny.uploads.parts import Unreadable, read_small, xml_elements
from scrutiny.uploads.refusals import Candidate

# OOXML main parts, by content type (as Office writes them in [Content_Types].xml).
MAIN_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": "pptx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml": "dotx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml": "xltx",
    "application/vnd.openxmlformats-officedocument.presentationml.template.main+xml": "potx",
    "application/vnd.openxmlformats-officedocument.presentationml.slideshow.main+xml": "ppsx",
}
_FAMILIES = {"word/": "docx", "xl/": "xlsx", "ppt/": "pptx"}
# More relationship parts than this is not a document anyone wrote.
MAX_RELATIONSHIP_PARTS = 1000


def family(names: list[str]) -> str | None:
    """'docx', 'xlsx' or 'pptx' from the folders inside, for messages."""
    for prefix, ext in _FAMILIES.items():
        if any(n.lower().startswith(prefix) for n in names):
            return ext
    return None


def inspect(candidate: Candidate, zf: zipfile.ZipFile, by_name: dict, family: str | None) -> str:
    elements = xml_elements(read_small(zf, by_name["[Content_Types].xml"]))
    overrides = {
        attrs.get("PartName", "").lstrip("/").lower(): attrs.get("ContentType", "").lower()
        for tag, attrs in elements if tag == "Override"
    }
    defaults = {
        attrs.get("Extension", "").lower(): attrs.get("ContentType", "").lower()
        for tag, attrs in elements if tag == "Default"
    }
    names = [n.lower() for n in by_name]

    # VBA projects (.docm/.xlsm/.pptm and friends) and Excel 4.0 macro
    # sheets, which run without any VBA at all.
    content_types = list(overrides.values()) + list(defaults.values())
    if (
        any("macroenabled" in ct or "vbaproject" in ct or "macrosheet" in ct for ct in content_types)
        or any(n.endswith("vbaproject.bin") or "/macrosheets/" in n for n in names)
    ):
        raise candidate.macros(family)
    part_types = [overrides.get(n) or defaults.get(n.rpartition(".")[2], "") for n in names]
    if any("oleobject" in ct for ct in part_types):
        raise candidate.embedded_object()

    _check_relationships(candidate, zf, by_name, family)

    mains = {(part, MAIN_TYPES[ct]) for part, ct in overrides.items() if ct in MAIN_TYPES}
    if len(mains) != 1:
        raise candidate.invalid(family)
    part, ext = mains.pop()
    if part not in names:
        raise candidate.invalid(family)
    return ext


def _check_relationships(candidate: Candidate, zf: zipfile.ZipFile, by_name: dict, family: str | None) -> None:
    """Every ``.rels`` part: what each part links to, and how."""
    rels = [info for name, info in by_name.items() if name.lower().endswith(".rels")]
    if len(rels) > MAX_RELATIONSHIP_PARTS:
        raise Unreadable("too many relationship parts")
    for info in rels:
        for tag, attrs in xml_elements(read_small(zf, info)):
            if tag != "Relationship":
                continue
            kind = attrs.get("Type", "").rstrip("/").rpartition("/")[2].lower()
            if "vba" in kind:  # vbaProject, vbaProjectSignature, wordVbaData
                raise candidate.macros(family)
            if kind == "oleobject":
                raise candidate.embedded_object()
            if attrs.get("TargetMode", "").lower() == "external" and kind != "hyperlink":
                raise candidate.external_link(attrs.get("Target", ""))
