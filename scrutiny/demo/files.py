"""Small real PDFs for the demo's evidence, so downloads open in a viewer."""
from __future__ import annotations


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def simple_pdf(title: str, lines: list[str]) -> bytes:
    """One A4 page: a heading and lines of text in Helvetica."""
    content = ["BT", "/F1 20 Tf", "56 780 Td", f"({_escape(title)}) Tj", "/F1 12 Tf", "0 -32 Td"]
    for line in lines:
        content += [f"({_escape(line.encode('latin-1', 'replace').decode('latin-1'))}) Tj", "0 -18 Td"]
    content.append("ET")
    return pdf_of(one_page("\n".join(content).encode("latin-1")))


def one_page(content: bytes) -> list[bytes]:
    """The objects of one A4 page drawing `content` in Helvetica (objects 1–5)."""
    return [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        stream_object(content),
    ]


def stream_object(data: bytes) -> bytes:
    return b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def pdf_of(objects: list[bytes]) -> bytes:
    """A PDF file of these objects (numbered from 1, the first the catalog), with its cross-reference table."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
