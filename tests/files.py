"""Real files for tests, built in memory so nothing binary is committed:
PDF, PNG, JPEG, GIF, and Office/OpenDocument zips with the parts that make
each what it is (or broken in the ways the upload check must catch)."""
from __future__ import annotations

import io
import struct
import zipfile
import zlib

from scrutiny.demo.files import simple_pdf

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


# -- building real files ---------------------------------------------------------


def make_pdf() -> bytes:
    """A one-page PDF with a correct cross-reference table."""
    return simple_pdf("Evidence", ["A line of text."])


def make_png() -> bytes:
    """A 1x1 grey PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00\x80")) + chunk(b"IEND", b""))


def make_jpeg(size=(2, 2), exif=None) -> bytes:
    """A small grey JPEG that Pillow can decode, with ``exif`` (a PIL.Image.Exif) if given."""
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, (128, 128, 128)).save(buf, "JPEG", quality=90, **({"exif": exif} if exif else {}))
    return buf.getvalue()


def make_gif() -> bytes:
    return b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"


def make_zip(entries: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, data in entries.items():
            # A fixed time, so the same entries make the same bytes across a clock tick.
            entry = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            # ODF wants its mimetype first and uncompressed.
            entry.compress_type = zipfile.ZIP_STORED if name == "mimetype" else compression
            zf.writestr(entry, data)
    return buf.getvalue()


def content_types(main_part: str, main_type: str, extra: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{main_part}" ContentType="{main_type}"/>{extra}</Types>'
    ).encode()


RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?><Relationships '
    b'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/officeDocument" Target="MAIN"/></Relationships>'
)

OOXML = {
    "docx": ("word/document.xml", DOCX_TYPE + ".main+xml", b"<w:document/>"),
    "xlsx": ("xl/workbook.xml", XLSX_TYPE + ".main+xml", b"<workbook/>"),
    "pptx": ("ppt/presentation.xml", PPTX_TYPE + ".main+xml", b"<p:presentation/>"),
}


def ooxml_entries(kind: str, main_type: str | None = None, extra_types: str = "") -> dict[str, bytes]:
    part, default_type, body = OOXML[kind]
    return {
        "[Content_Types].xml": content_types(part, main_type or default_type, extra_types),
        "_rels/.rels": RELS.replace(b"MAIN", part.encode()),
        part: body,
    }


def make_ooxml(kind: str, **kwargs) -> bytes:
    return make_zip(ooxml_entries(kind, **kwargs))


def manifest(mimetype: str, extra: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.2">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{mimetype}"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        f"{extra}</manifest:manifest>"
    ).encode()


def odf_entries(kind: str, extra_manifest: str = "") -> dict[str, bytes]:
    mimetype = {"odt": "application/vnd.oasis.opendocument.text",
                "odp": "application/vnd.oasis.opendocument.presentation"}[kind]
    return {
        "mimetype": mimetype.encode(),
        "META-INF/manifest.xml": manifest(mimetype, extra_manifest),
        "content.xml": b'<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:'
                       b'xmlns:office:1.0" office:version="1.2"/>',
    }


def make_odf(kind: str) -> bytes:
    return make_zip(odf_entries(kind))


def set_encrypted_flag(data: bytes) -> bytes:
    """Mark every entry encrypted, as a password-protected zip is (zipfile cannot write one)."""
    out = bytearray(data)
    for signature, flag_offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (at := out.find(signature, start)) != -1:
            out[at + flag_offset] |= 0x01
            start = at + 4
    return bytes(out)
