"""HTML to PDF with WeasyPrint, fetching nothing but the app's own assets.

Text from witnesses reaches the templates escaped or sanitised, but a PDF
renderer that would follow any URL it meets is still a server-side request
forgery waiting to happen; the fetcher below refuses every scheme but ours.
"""
from __future__ import annotations

import base64
import binascii
import re
from pathlib import Path

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from scrutiny.documents import actual_text

actual_text.install()  # Arabic and Indic text extracts as typed (see actual_text.py)

ASSET_ROOT = Path(__file__).resolve().parent.parent / "static" / "build"
ASSET_SCHEME = "scrutiny-asset:"
BASE_URL = ASSET_SCHEME + "/"
MIME_TYPES = {".woff2": "font/woff2", ".woff": "font/woff", ".css": "text/css", ".png": "image/png",
              ".svg": "image/svg+xml"}


# The council's logo reaches templates inline (branding.services.logo_for_documents):
# exactly a base64 PNG or SVG, nothing else that a data: URL could carry.
DATA_IMAGE = re.compile(r"data:(image/png|image/svg\+xml);base64,([A-Za-z0-9+/=\s]+)")
MAX_DATA_IMAGE_BYTES = 8 * 1024 * 1024


class RefusedURL(ValueError):
    """A URL the renderer may not fetch; WeasyPrint logs it and goes on without."""


class AssetOnlyFetcher(URLFetcher):
    """Serves `scrutiny-asset:<path>` from the built static assets and inline
    base64 PNG or SVG images (the logo); refuses the rest."""

    def __init__(self, root: Path = ASSET_ROOT):
        super().__init__(allowed_protocols=())
        self.root = root.resolve()
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return self._data_image(url)
        if not url.startswith(ASSET_SCHEME):
            self.refused.append(url)
            raise RefusedURL(f"not fetched: {url[:80]}")
        relative = url[len(ASSET_SCHEME):].lstrip("/").split("?")[0].split("#")[0]
        path = (self.root / relative).resolve()
        if self.root not in path.parents or not path.is_file() or path.suffix not in MIME_TYPES:
            self.refused.append(url)
            raise RefusedURL(f"not an asset: {url[:80]}")
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": MIME_TYPES[path.suffix]})


    def _data_image(self, url: str):
        match = DATA_IMAGE.fullmatch(url)
        if match is None or len(url) > MAX_DATA_IMAGE_BYTES * 4 // 3 + 64:
            self.refused.append(url[:80])
            raise RefusedURL(f"not an inline PNG or SVG: {url[:40]}")
        try:
            data = base64.b64decode(match.group(2), validate=False)
        except (binascii.Error, ValueError) as exc:
            self.refused.append(url[:80])
            raise RefusedURL("inline image is not valid base64") from exc
        return URLFetcherResponse(url[:64], data, {"Content-Type": match.group(1)})


def layout(html: str, fetcher: AssetOnlyFetcher | None = None):
    """Lay out the HTML: the slow part. Returns a WeasyPrint Document."""
    return HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher or AssetOnlyFetcher()).render()


def write(document, target: Path, *, variant: str | None) -> None:
    """Write a laid-out document as PDF; `variant` e.g. "pdf/ua-1" (tagged)."""
    options = {"pdf_variant": variant} if variant else {}
    document.write_pdf(target, **options)


def warm_up() -> None:
    """Lay out and write a page of nothing, so fontconfig, Pango and the PDF
    writer are loaded: a worker does this once before it forks a work horse
    per job, and every build inherits it instead of paying for it."""
    import os

    write(layout('<html lang="en"><title>Warm up</title><body><p>Warm up.</p></body></html>'), Path(os.devnull),
          variant=None)


def asset_paths() -> list[Path]:
    """The files a build may read besides its data: part of its input hash."""
    return sorted(p for p in ASSET_ROOT.rglob("*") if p.suffix in MIME_TYPES and p.is_file())
