"""PDF: recognised by its magic number; its pages counted once, here.
(Active content in PDFs is dealt with where files are stored.)"""
from __future__ import annotations

from pathlib import Path
from typing import BinaryIO


def pdf_page_count(source: Path | BinaryIO) -> int | None:
    """Pages of a PDF, or None if pypdf cannot read it (encrypted, broken)."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(source, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            return None
        return len(reader.pages)
    except Exception:  # pypdf raises many kinds of error on a broken file
        return None
