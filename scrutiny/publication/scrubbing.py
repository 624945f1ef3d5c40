"""A redacted replacement file made fit to publish: its text read (to check
nothing redacted is left in it) and its metadata stripped (author, titles,
edit history, comments, attachments, scripts, a photo's camera and place),
with kept libraries: pikepdf for PDFs, Pillow for images.

Both write a new file and never touch the one they read."""
from __future__ import annotations

import unicodedata
from pathlib import Path

from scrutiny import pdf_safety


class Unreadable(Exception):
    """The file cannot be opened to be checked or cleaned; the message says why."""


# -- text -------------------------------------------------------------------------------------


def squashed(text: str) -> str:
    """Text as compared with a redacted passage: case, spacing, line breaks
    and ligatures do not count, so "John\\nSmith" in a PDF is "john smith"."""
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def pdf_text(path: Path) -> str:
    """Every page's text, as a reader's copy-and-paste would find it."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise Unreadable("it is protected with a password")
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    except Unreadable:
        raise
    except Exception as exc:  # pypdf raises many kinds of error on a broken file
        raise Unreadable("it may be damaged") from exc


# -- PDFs -------------------------------------------------------------------------------------

# Keys dropped wherever they appear: XMP metadata and an editor's private
# data. Scripts, actions and attached files go first, by the same rules as
# every uploaded PDF (scrutiny.pdf_safety).
_DROPPED_KEYS = ("/Metadata", "/PieceInfo", "/SpiderInfo")
# Dropped from the document catalogue: how it opens, form data, a portfolio.
_DROPPED_FROM_ROOT = ("/OpenAction", "/AcroForm", "/Collection")


def _scrub(obj, depth: int = 0) -> None:
    """Drop the keys above from a dictionary or stream and the direct objects
    within it (indirect ones are scrubbed on their own as the file's objects)."""
    import pikepdf

    if depth > 64:
        return
    if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
        for key in list(obj.keys()):
            if key in _DROPPED_KEYS:
                del obj[key]
                continue
            child = obj.get(key)
            if isinstance(child, (pikepdf.Dictionary, pikepdf.Array)) and not child.is_indirect:
                _scrub(child, depth + 1)
    elif isinstance(obj, pikepdf.Array):
        for child in obj:
            if isinstance(child, (pikepdf.Dictionary, pikepdf.Array)) and not child.is_indirect:
                _scrub(child, depth + 1)


def clean_pdf(source: Path, target: Path) -> None:
    """A copy of the PDF without its document information (author, title,
    producer...), XMP metadata, annotations (comments, sticky notes, links),
    form fields, attached files or scripts. The pages' content is kept as it
    is: a PDF writer copies only what is still referenced, so what is
    dropped here is not in the new file at all."""
    import pikepdf

    try:
        with pikepdf.open(source) as pdf:
            pdf_safety.neutralise(pdf)
            if "/Info" in pdf.trailer:
                del pdf.trailer["/Info"]
            for key in _DROPPED_FROM_ROOT:
                if key in pdf.Root:
                    del pdf.Root[key]
            for page in pdf.pages:
                if "/Annots" in page.obj:
                    del page.obj["/Annots"]
            for obj in pdf.objects:
                _scrub(obj)
            # fix_metadata_version would write an XMP packet back in.
            pdf.save(target, fix_metadata_version=False, deterministic_id=True)
    except pikepdf.PasswordError as exc:
        raise Unreadable("it is protected with a password") from exc
    except pikepdf.PdfError as exc:
        raise Unreadable("it may be damaged") from exc


# -- images -----------------------------------------------------------------------------------


def clean_image(source: Path, target: Path, extension: str) -> None:
    """The picture alone, saved again from its pixels: no EXIF (camera, date,
    GPS position), XMP, comments or text chunks. A photo turned by its EXIF
    orientation is turned for good first, so it still shows the right way up."""
    from PIL import Image, ImageOps

    fmt = "JPEG" if extension == "jpg" else "PNG"
    try:
        with Image.open(source) as opened:
            image = ImageOps.exif_transpose(opened) or opened
            if fmt == "JPEG" and image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            elif fmt == "PNG" and image.mode not in ("RGB", "RGBA", "L", "LA", "1"):
                image = image.convert("RGBA")
            # A new image from the pixels only: nothing of the original's info comes with it.
            bare = Image.frombytes(image.mode, image.size, image.tobytes())
            bare.save(target, fmt, **({"quality": 95} if fmt == "JPEG" else {"optimize": True}))
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise Unreadable("it may be damaged") from exc
