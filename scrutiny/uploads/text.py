"""CSV: no magic number, so only a file named .csv is tried as text."""
from __future__ import annotations

import codecs
import re

from scrutiny.uploads.refusals import Candidate

CSV_SAMPLE_BYTES = 64 * 1024
_BINARY_BYTES = re.compile(rb"[\x00-\x08\x0e-\x19\x1b-\x1f]")


def csv_encoding(candidate: Candidate) -> str:
    """'utf-8', 'utf-8-sig' or 'cp1252' if the file is text, else refuse.

    Any NUL byte anywhere, or a control character other than tab, line
    breaks, form feed and the old DOS end-of-file mark, means binary
    (UTF-16 "Unicode text" exports are full of NULs). The first 64 KiB
    must decode in one of the encodings spreadsheets save CSV in.
    """
    with candidate.path.open("rb") as f:
        sample = f.read(CSV_SAMPLE_BYTES)
        whole = len(sample) < CSV_SAMPLE_BYTES
        binary = bool(_BINARY_BYTES.search(sample))
        while not binary and (chunk := f.read(CSV_SAMPLE_BYTES)):
            binary = b"\x00" in chunk
    if not binary:
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                # Incremental, so a character cut at the 64 KiB mark is fine.
                codecs.getincrementaldecoder(encoding)().decode(sample, final=whole)
            except UnicodeDecodeError:
                continue
            if encoding == "utf-8-sig" and not sample.startswith(codecs.BOM_UTF8):
                encoding = "utf-8"
            return encoding
    raise candidate.refuse(
        f"{candidate.shown} is not a plain-text CSV file. Save it from your spreadsheet "
        "as \u201cCSV UTF-8\u201d and upload it again.",
        "not_text",
    )
