"""The council's logo: checked, stored, replaced, removed, and handed to documents.

An administrator uploads it, but it ends up inside every report and letter,
so it is checked as hostile like every upload (see `scrutiny.uploads`):
streamed into storage with a size limit, its type decided by its content
(never its name or the browser's word), a name that contradicts the content
refused with a message naming the file.

- PNG: decoded in full with Pillow, at most `MAX_SIDE` pixels a side; stored
  as uploaded.
- SVG: never stored as SVG. It is rasterised to PNG with CairoSVG (which
  refuses XML entities and fetches nothing but `data:` URLs), so no script,
  event handler, external reference or foreignObject can reach storage, a
  page or a PDF. Its size is read from its root element first, so a logo
  claiming to be a million pixels wide cannot exhaust memory.
"""
from __future__ import annotations

import base64
from functools import lru_cache
import io
import re
from pathlib import Path
from typing import BinaryIO
from xml.parsers import expat

from flask import current_app
from PIL import Image, UnidentifiedImageError
from sqlalchemy import select

from scrutiny.auth.models import User
from scrutiny.branding.models import CouncilLogo
from scrutiny.extensions import db
from scrutiny.storage import TooLarge, storage
from scrutiny.uploads import UploadRefused, human_size, safe_name

MAX_BYTES = 2 * 1024 * 1024
MAX_SIDE = 4000  # pixels, either way, for a PNG as uploaded
SVG_LONGEST_SIDE = 1200  # pixels an SVG is rasterised to: sharp at print size on a cover
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG, SVG = "png", "svg"
_NOUNS = {PNG: "PNG image", SVG: "SVG image"}
# Names that say what a file is; only these can contradict the content.
_CLAIMS = {"png": PNG, "svg": SVG, "jpg": "jpg", "jpeg": "jpg", "gif": "gif", "webp": "webp", "bmp": "bmp",
           "tif": "tif", "tiff": "tif", "pdf": "pdf", "eps": "eps", "ai": "ai", "svgz": "svgz", "ico": "ico"}


class LogoRefused(UploadRefused):
    """The file cannot be the logo; the message names it and says what to do."""


def current_logo() -> CouncilLogo | None:
    return db.session.scalar(select(CouncilLogo).order_by(CouncilLogo.uploaded_at.desc(), CouncilLogo.id.desc()))


def logo_bytes(logo: CouncilLogo) -> bytes:
    with storage().open(logo.storage_key) as f:
        return f.read()


def logo_for_documents() -> dict | None:
    """The logo for report and letter templates, or None without one:
    {"src": a data: URI (the renderer fetches nothing else), "sha256",
    "alt", "width", "height"}. The sha256 belongs in a build's input hash."""
    logo = current_logo()
    if logo is None:
        return None
    return {"src": _data_uri(logo.storage_key, logo.content_type), "sha256": logo.sha256,
            "alt": f"{current_app.config['COUNCIL_NAME']} logo", "width": logo.width, "height": logo.height}


@lru_cache(maxsize=4)
def _data_uri(storage_key: str, content_type: str) -> str:
    """Read once per process: every letter of a batch carries the same logo,
    and a stored key's bytes never change (a new logo gets a new key)."""
    from scrutiny.branding.models import CouncilLogo

    data = base64.b64encode(logo_bytes(CouncilLogo(storage_key=storage_key))).decode("ascii")
    return f"data:{content_type};base64,{data}"


# ---- checking -----------------------------------------------------------------

def _sniff(head: bytes) -> str | None:
    if head.startswith(PNG_SIGNATURE):
        return PNG
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith((b"<?xml", b"<svg", b"<!--", b"<!DOCTYPE svg")) and b"<svg" in head:
        return SVG
    return None


def _claimed(name: str) -> str | None:
    stem, dot, ext = name.rpartition(".")
    return _CLAIMS.get(ext.lower(), ext.lower()) if dot and stem else None


def check_content(path: Path, name: str) -> str:
    """PNG or SVG, decided by the content; else `LogoRefused`."""
    with path.open("rb") as f:
        head = f.read(4096)
    actual, claimed = _sniff(head), _claimed(name)
    quoted = f"\u201c{name}\u201d"
    if actual is None:
        raise LogoRefused(f"{quoted} is not a PNG or SVG image. Save the logo as PNG or SVG and upload it again.",
                          "wrong_type")
    if claimed is not None and claimed != actual:
        raise LogoRefused(f"{quoted} is really {'an SVG' if actual == SVG else 'a PNG'} image, not "
                          f"what its name says. Rename it to end in .{actual} and upload it again.", "mismatch")
    return actual


def _png(data: bytes, quoted: str) -> tuple[bytes, int, int]:
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != "PNG":
                raise LogoRefused(f"{quoted} is not a valid PNG image.", "invalid")
            width, height = image.size
            if width > MAX_SIDE or height > MAX_SIDE:
                raise LogoRefused(f"{quoted} is {width} × {height} pixels; a logo may be at most "
                                  f"{MAX_SIDE} pixels each way. Make it smaller and upload it again.", "too_big")
            image.verify()  # every chunk's checksum, and the end of the file
        with Image.open(io.BytesIO(data)) as image:
            image.load()  # and every pixel: a corrupt file fails here, not in a PDF
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise LogoRefused(f"{quoted} is not a valid PNG image: it could not be read. Save it again from "
                          "your graphics program and upload it again.", "invalid") from exc
    return data, width, height


_LENGTH = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*(px|pt|pc|mm|cm|in)?\s*$")


def _svg_aspect(data: bytes, quoted: str) -> float:
    """Width / height of the SVG, from its root element's viewBox or size; a
    DOCTYPE (entities, external files) is refused without reading further."""
    root: dict[str, str] = {}

    def start(name: str, attrs: dict[str, str]) -> None:
        if not root:
            root.update({"_name": name.rpartition("}")[2], **attrs})

    def refuse(*_args) -> None:
        raise LogoRefused(f"{quoted} contains a DOCTYPE, which logos do not need. Export it again as "
                          "plain SVG and upload it again.", "doctype")

    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise LogoRefused(f"{quoted} is not a valid SVG image: {exc}.", "invalid") from exc
    if root.get("_name") != "svg":
        raise LogoRefused(f"{quoted} is not a valid SVG image.", "invalid")
    box = (root.get("viewBox") or "").replace(",", " ").split()
    try:
        if len(box) == 4 and float(box[2]) > 0 and float(box[3]) > 0:
            return float(box[2]) / float(box[3])
        width, height = (_LENGTH.match(root.get(k, "")) for k in ("width", "height"))
        if width and height and float(width.group(1)) > 0 and float(height.group(1)) > 0:
            return float(width.group(1)) / float(height.group(1))
    except ValueError:
        pass
    raise LogoRefused(f"{quoted} does not say its size (a viewBox, or a width and height). Export it "
                      "again with a size and upload it again.", "no_size")


def _rasterise(data: bytes, quoted: str) -> tuple[bytes, int, int]:
    import cairosvg

    aspect = _svg_aspect(data, quoted)
    aspect = min(max(aspect, 1 / 20), 20)  # a hairline logo is no logo
    if aspect >= 1:
        width, height = SVG_LONGEST_SIDE, max(1, round(SVG_LONGEST_SIDE / aspect))
    else:
        width, height = max(1, round(SVG_LONGEST_SIDE * aspect)), SVG_LONGEST_SIDE
    try:
        # unsafe=False: no XML entities, no fetching but data: URLs.
        png = cairosvg.svg2png(bytestring=data, output_width=width, output_height=height, unsafe=False)
    except Exception as exc:  # CairoSVG raises many kinds on broken input
        raise LogoRefused(f"{quoted} could not be drawn as an image. Export it again as plain SVG, or "
                          "upload a PNG.", "invalid") from exc
    return png, width, height


# ---- changing -----------------------------------------------------------------

def upload_logo(stream: BinaryIO, original_name: str | None, *, by: User | None) -> CouncilLogo:
    """Check and store a new logo, replacing the current one. Nothing is
    kept if the file is refused."""
    name = safe_name(original_name)
    quoted = f"\u201c{name}\u201d"
    store = storage()
    try:
        blob = store.put_stream(stream, MAX_BYTES)
    except TooLarge as exc:
        raise LogoRefused(f"{quoted} is larger than {human_size(MAX_BYTES)}. Make it smaller and upload it "
                          "again.", "too_large") from exc
    try:
        if blob.size == 0:
            raise LogoRefused(f"{quoted} is empty. Choose the logo file again.", "empty")
        kind = check_content(blob.temp_path, name)
        data = blob.temp_path.read_bytes()
        png, width, height = _png(data, quoted) if kind == PNG else _rasterise(data, quoted)
    finally:
        store.discard(blob)  # only the checked (or drawn) PNG below is kept
    final = store.put_stream(io.BytesIO(png), MAX_BYTES * 16)
    logo = CouncilLogo(storage_key=final.key, content_type="image/png", original_name=name, size=final.size,
                       sha256=final.sha256, width=width, height=height, uploaded_by=by)
    try:
        store.commit(final)
        db.session.add(logo)
        old = [row for row in db.session.scalars(select(CouncilLogo)) if row is not logo]
        for row in old:
            db.session.delete(row)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        store.discard(final)
        store.delete(final.key)
        raise
    for row in old:
        store.delete(row.storage_key)
    return logo


def remove_logo() -> bool:
    """Remove the logo: reports and letters go out without one. False if there was none."""
    rows = list(db.session.scalars(select(CouncilLogo)))
    for row in rows:
        db.session.delete(row)
    db.session.commit()
    for row in rows:
        storage().delete(row.storage_key)
    return bool(rows)
