"""OpenDocument (text, presentation): the mimetype and manifest say what it
is; Basic and script folders, or script media types, mean macros."""
from __future__ import annotations

import zipfile

from scrutiny.uploads.kinds import ZIP_BASED
from scrutiny.uploads.parts import read_small, xml_elements
from scrutiny.uploads.refusals import Candidate

TYPES = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.presentation": "odp",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.graphics": "odg",
    "application/vnd.oasis.opendocument.text-template": "ott",
    "application/vnd.oasis.opendocument.presentation-template": "otp",
    "application/vnd.oasis.opendocument.text-master": "odm",
    "application/vnd.oasis.opendocument.formula": "odf",
    "application/epub+zip": "epub",
}


def inspect(candidate: Candidate, zf: zipfile.ZipFile, by_name: dict) -> str:
    if "mimetype" not in by_name:
        raise candidate.invalid()
    mimetype = read_small(zf, by_name["mimetype"], limit=200).decode("ascii", "replace").strip()
    ext = TYPES.get(mimetype)
    if ext == "epub":  # also has a mimetype entry, but no ODF manifest; refused as a type
        return ext
    if "META-INF/manifest.xml" not in by_name:
        raise candidate.invalid(ext)
    names = [n.lower() for n in by_name]
    if any(n.startswith(("basic/", "scripts/")) for n in names):
        raise candidate.macros(ext)

    elements = xml_elements(read_small(zf, by_name["META-INF/manifest.xml"]))
    for tag, attrs in elements:
        if tag == "encryption-data":
            raise candidate.encrypted()
        if tag == "file-entry":
            path = attrs.get("full-path", "").lower()
            media = attrs.get("media-type", "").lower()
            if path.startswith(("basic/", "scripts/")) or any(
                word in media for word in ("script", "basic", "macro")
            ):
                raise candidate.macros(ext)

    if ext is None:
        if candidate.claimed in ZIP_BASED:
            raise candidate.invalid()
        raise candidate.not_allowed()
    if "content.xml" not in by_name:
        raise candidate.invalid(ext)
    return ext
