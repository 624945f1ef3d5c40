"""Reading the few small parts of a zip that say what a document is, safely:
never more than a set number of bytes, and XML with no DOCTYPE."""
from __future__ import annotations

import zipfile
from xml.parsers import expat

MIB = 1024 * 1024
# Parts we read to classify a zip ([Content_Types].xml, mimetype, manifest,
# relationships) are small; anything bigger is not a document we know.
MAX_META_PART_BYTES = 1 * MIB


class Unreadable(Exception):
    """A metadata part inside a zip could not be read or parsed."""


def read_small(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int = MAX_META_PART_BYTES) -> bytes:
    """Read one small part into memory, never more than ``limit`` bytes."""
    if info.file_size > limit:
        raise Unreadable(info.filename)
    try:
        with zf.open(info) as part:
            data = part.read(limit + 1)
    except Exception as exc:  # CRC errors, zlib errors, unknown compression...
        raise Unreadable(info.filename) from exc
    if len(data) > limit:
        raise Unreadable(info.filename)
    return data


def read_head(zf: zipfile.ZipFile, info: zipfile.ZipInfo, size: int = 8) -> bytes:
    """The first bytes of a part, inflating no more than needed to get them."""
    try:
        with zf.open(info) as part:
            return part.read(size)
    except Exception as exc:
        raise Unreadable(info.filename) from exc


def contains(zf: zipfile.ZipFile, info: zipfile.ZipInfo, needle: bytes, chunk: int = 64 * 1024) -> bool:
    """Whether a part holds ``needle`` anywhere, read in chunks (the part's
    size is already bounded by the archive's checks)."""
    tail = b""
    try:
        with zf.open(info) as part:
            while block := part.read(chunk):
                if needle in tail + block:
                    return True
                tail = block[-len(needle):]
    except Exception as exc:
        raise Unreadable(info.filename) from exc
    return False


def xml_elements(data: bytes) -> list[tuple[str, dict[str, str]]]:
    """Every element as (local name, {local attribute name: value}).

    A real parser, not a regular expression, so character references cannot
    hide a content type from us; DOCTYPEs are refused outright, which rules
    out entity expansion ("billion laughs") and external entities. Office and
    OpenDocument metadata never has one.
    """
    found: list[tuple[str, dict[str, str]]] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        found.append((name.rpartition("}")[2], {k.rpartition("}")[2]: v for k, v in attrs.items()}))

    def refuse_doctype(*_args) -> None:
        raise Unreadable("DOCTYPE in metadata")

    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = refuse_doctype
    parser.EntityDeclHandler = refuse_doctype
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise Unreadable("malformed XML") from exc
    return found
