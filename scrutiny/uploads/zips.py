"""Zip-based files (Office Open XML, OpenDocument), judged from the zip's
central directory before anything is inflated: too many parts, unsafe paths,
encryption and zip bombs are refused, then the family's own inspector says
what the document is, then every part is looked at for an OLE container
(embedded objects and VBA projects, whatever their part is called)."""
from __future__ import annotations

import re
import zipfile

from scrutiny.uploads import odf, ooxml
from scrutiny.uploads.kinds import ZIP_BASED
from scrutiny.uploads.parts import MIB, Unreadable, contains, read_head
from scrutiny.uploads.refusals import Candidate

# A zip entry over this size and more compressed than this ratio is refused:
# ordinary documents stay well under 100:1, a zip bomb is nearer 1000:1.
BOMB_MIN_ENTRY_BYTES = 1 * MIB
BOMB_MAX_RATIO = 100
# The same ratio for the archive as a whole, once it unpacks to more than
# this: many parts of 1 MiB each pass the check above one by one (450 parts
# of zeros: 450 MB from half a megabyte), but not this one.
BOMB_MIN_TOTAL_BYTES = 10 * MIB

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The stream every VBA project has, as an OLE directory names it (UTF-16LE).
_VBA_STREAM = "_VBA_PROJECT".encode("utf-16-le")


def inspect_zip(candidate: Candidate) -> str:
    """Classify a zip, refusing unsafe ones. Nothing is extracted."""
    try:
        zf = zipfile.ZipFile(candidate.path)
    except Exception:  # BadZipFile, but a malformed directory can raise others
        raise candidate.invalid() from None
    with zf:
        infos = zf.infolist()
        names = [info.filename for info in infos]
        family = ooxml.family(names)
        _refuse_unsafe_archive(candidate, infos, family)

        by_name = dict(zip(names, infos))
        try:
            if "[Content_Types].xml" in by_name:
                ext = ooxml.inspect(candidate, zf, by_name, family)
            elif "mimetype" in by_name or "META-INF/manifest.xml" in by_name:
                ext = odf.inspect(candidate, zf, by_name)
            else:
                ext = None
            if ext in ZIP_BASED:
                _refuse_ole_parts(candidate, zf, infos, family or ext)
        except Unreadable:
            raise candidate.invalid(family) from None
        if ext is not None:
            return ext
        if family or candidate.claimed in ZIP_BASED:
            # Office parts but no [Content_Types].xml, or named .docx etc.
            raise candidate.invalid(family)
        # A plain zip: we cannot see inside for the witness.
        really = "" if candidate.claimed == "zip" else "really "
        raise candidate.refuse(
            f"{candidate.shown} is {really}a ZIP file, which we cannot accept. "
            "Take the files out of it and upload each one separately.",
            "zip",
        )


def _refuse_unsafe_archive(candidate: Candidate, infos: list[zipfile.ZipInfo], family: str | None) -> None:
    if len(infos) > candidate.max_zip_entries:
        raise candidate.too_big_inside(
            "too_many_entries",
            f"has more than {candidate.max_zip_entries:,} parts inside it, which is more than "
            "we can check. Open it, save it again (or save it as a PDF) and upload the "
            "new copy.",
        )
    names = [info.filename for info in infos]
    lowered = [n.lower() for n in names]
    if len(set(lowered)) != len(lowered) or any(_unsafe_member(n) for n in names):
        raise candidate.invalid(family, code="unsafe_archive")
    if any(info.flag_bits & 0x1 for info in infos):
        raise candidate.encrypted()
    # Declared sizes come from the central directory; zipfile also stops
    # reading any entry at its declared size, so they bound what any read
    # below can inflate to.
    inflated = sum(info.file_size for info in infos)
    if inflated > candidate.max_inflated_bytes:
        raise candidate.unpacks_too_big()
    for info in infos:
        if info.file_size > BOMB_MIN_ENTRY_BYTES and (
            info.compress_size == 0 or info.file_size > BOMB_MAX_RATIO * info.compress_size
        ):
            raise candidate.packed_oddly()
    # Against the file's real size, which the sender cannot misstate.
    if inflated > BOMB_MIN_TOTAL_BYTES and inflated > BOMB_MAX_RATIO * candidate.path.stat().st_size:
        raise candidate.packed_oddly()


def _refuse_ole_parts(candidate: Candidate, zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo],
                      family: str | None) -> None:
    """An OLE compound file inside a document is an embedded object or a VBA
    project; either can run code. Judged by the bytes, not the part's name,
    so a VBA project renamed ``media/image1.png`` is still found."""
    for info in infos:
        if info.is_dir() or read_head(zf, info) != OLE_SIGNATURE:
            continue
        if contains(zf, info, _VBA_STREAM):
            raise candidate.macros(family)
        raise candidate.embedded_object()


def _unsafe_member(name: str) -> bool:
    """Absolute paths, drive letters and '..' parts: a zip-slip attempt."""
    if name.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", name):
        return True
    return any(part == ".." for part in re.split(r"[/\\]", name))
