"""The council's logo: only an administrator changes it, every file is checked
as hostile, an SVG never reaches storage as SVG, and the PDF renderer shows it."""
import io
import os

import pytest
from bs4 import BeautifulSoup
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import func, select

from scrutiny.branding.models import CouncilLogo
from scrutiny.extensions import db
from tests.conftest import Browser, csrf_token
from tests.files import make_pdf
from tests.test_documents import recorder  # noqa: F401 - a fixture: a loopback server that logs requests
from tests.test_pages_accessibility import check_page

PAGE = "/admin/logo"
SVG_NS = 'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'


def _png(width=120, height=40, colour=(29, 61, 92)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def admin(app, make_user):
    browser = Browser(app.test_client())
    browser.sign_in(make_user("admin", name="Ada Admin"))
    return browser


def _upload(browser, name, content):
    token = csrf_token(browser.get(PAGE).text)
    return browser.client.post(PAGE, data={"csrf_token": token, "logo": (io.BytesIO(content), name)},
                               content_type="multipart/form-data")


def _stored(app):
    root = app.config["STORAGE_DIR"]
    files = [os.path.join(d, f) for d, _, names in os.walk(root) for f in names]
    return [open(path, "rb").read() for path in files]


def _logos(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(CouncilLogo))


def _error(page) -> str:
    soup = BeautifulSoup(page.text, "html.parser")
    return " ".join(soup.select_one(".govuk-error-summary").get_text(" ").split())


def test_an_administrator_uploads_previews_replaces_and_removes_the_logo(app, admin):
    page = admin.get(PAGE)
    assert "There is no logo yet" in page.text
    check_page(page.text, PAGE)
    response = _upload(admin, "Northshire crest.png", _png(300, 100))
    assert response.status_code == 302
    html = admin.get(PAGE).text
    check_page(html, PAGE)
    page = BeautifulSoup(html, "html.parser")
    assert "The logo is saved" in page.text
    assert "Northshire crest.png" in page.text and "300 × 100 pixels" in page.text and "Ada Admin" in page.text
    image = page.select_one(".app-logo-preview img")
    assert image["alt"] == "Example County Council logo"
    preview = admin.client.get(image["src"])
    assert preview.status_code == 200 and preview.mimetype == "image/png"
    assert preview.headers["X-Content-Type-Options"] == "nosniff"
    assert Image.open(io.BytesIO(preview.data)).size == (300, 100)

    assert _upload(admin, "new crest.png", _png(200, 200, (0, 0, 0))).status_code == 302
    assert _logos(app) == 1 and len(_stored(app)) == 1  # the old one is gone, file and all
    assert "new crest.png" in admin.get(PAGE).text

    token = csrf_token(admin.get(PAGE).text)
    assert admin.client.post(f"{PAGE}/remove", data={"csrf_token": token}).status_code == 302
    assert "There is no logo yet" in admin.get(PAGE).text
    assert _logos(app) == 0 and _stored(app) == []
    assert admin.client.get(f"{PAGE}/image").status_code == 404


def test_officers_cannot_change_the_logo(app, make_user):
    officer = Browser(app.test_client())
    officer.sign_in(make_user("officer"))
    assert officer.get(PAGE).status_code == 403
    assert officer.client.post(PAGE, data={"logo": (io.BytesIO(_png()), "x.png")},
                               content_type="multipart/form-data").status_code in (400, 403)
    assert _logos(app) == 0


HOSTILE = {
    "script": f'<svg {SVG_NS} viewBox="0 0 100 50"><script>alert(document.cookie)</script>'
              '<rect width="100" height="50" fill="#1d3d5c"/></svg>',
    "onload": f'<svg {SVG_NS} width="100" height="50" onload="alert(1)"><rect width="100" height="50" '
              'fill="#1d3d5c" onclick="steal()"/></svg>',
    "external image": f'<svg {SVG_NS} viewBox="0 0 100 50"><image href="http://127.0.0.1:{{port}}/track.png" '
                      'width="100" height="50"/><rect width="10" height="10"/></svg>',
    "xlink to a file": f'<svg {SVG_NS} viewBox="0 0 100 50"><image xlink:href="file:///etc/passwd" width="100" '
                       'height="50"/><use xlink:href="file:///etc/hostname#x"/><rect width="10" height="10"/></svg>',
    "foreignObject": f'<svg {SVG_NS} viewBox="0 0 100 50"><foreignObject width="100" height="50">'
                     '<iframe xmlns="http://www.w3.org/1999/xhtml" src="http://127.0.0.1:{port}/frame"/>'
                     '</foreignObject><rect width="10" height="10"/></svg>',
}


@pytest.mark.parametrize("attack", HOSTILE)
def test_a_hostile_svg_is_drawn_as_a_plain_png_and_nothing_of_it_is_kept(app, admin, recorder, attack):  # noqa: F811
    port, requests = recorder
    svg = HOSTILE[attack].replace("{port}", str(port)).encode()
    assert _upload(admin, "crest.svg", svg).status_code == 302
    [stored] = _stored(app)
    assert stored.startswith(b"\x89PNG\r\n\x1a\n")
    for trace in (b"<svg", b"script", b"onload", b"onclick", b"http", b"file:", b"foreignObject", b"passwd"):
        assert trace not in stored
    assert requests == []  # nothing was fetched while drawing it
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "PNG" and max(image.size) == 1200 and image.size[0] == 2 * image.size[1]
    with app.app_context():
        logo = db.session.scalar(select(CouncilLogo))
        assert (logo.content_type, logo.original_name) == ("image/png", "crest.svg")


@pytest.mark.parametrize("name,content,message", [
    ("crest.svg", _png(), "“crest.svg” is really a PNG image, not what its name says. Rename it to end in .png"),
    ("crest.png", f'<svg {SVG_NS} viewBox="0 0 1 1"/>'.encode(), "“crest.png” is really an SVG image"),
    ("crest.png", make_pdf(), "“crest.png” is not a PNG or SVG image"),
    ("crest.gif", b"GIF89a" + b"\x00" * 40, "“crest.gif” is not a PNG or SVG image"),
    ("huge.png", _png(4001, 10), "“huge.png” is 4001 × 10 pixels; a logo may be at most 4000 pixels each way"),
    ("broken.png", _png()[:60], "“broken.png” is not a valid PNG image"),
    ("entities.svg", b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">]>'
                     b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><text>&a;</text></svg>',
     "“entities.svg” contains a DOCTYPE"),
    ("sizeless.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1"/></svg>',
     "“sizeless.svg” does not say its size"),
    ("empty.png", b"", "“empty.png” is empty"),
])
def test_files_that_cannot_be_the_logo_are_refused_by_name_and_nothing_is_kept(app, admin, name, content, message):
    response = _upload(admin, name, content)
    assert response.status_code == 400
    assert message in _error(response)
    check_page(response.text, PAGE)
    soup = BeautifulSoup(response.text, "html.parser")
    assert soup.title.text.startswith("Error: ")
    for link in soup.select(".govuk-error-summary a"):
        assert soup.select_one(link["href"]) is not None, f"{link['href']} points at nothing"
    assert _logos(app) == 0 and _stored(app) == []


def test_a_logo_too_large_is_refused(app, admin):
    response = _upload(admin, "big.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * (2 * 1024 * 1024))
    assert "“big.png” is larger than 2 MB" in _error(response)
    assert _stored(app) == []


def test_choosing_no_file_says_so(app, admin):
    token = csrf_token(admin.get(PAGE).text)
    response = admin.client.post(PAGE, data={"csrf_token": token}, content_type="multipart/form-data")
    assert "Choose a PNG or SVG file of the council’s logo" in _error(response)


def test_documents_get_the_logo_inline_and_the_pdf_shows_it(app, admin):
    from scrutiny.branding.services import logo_for_documents
    from scrutiny.documents import render

    with app.app_context():
        assert logo_for_documents() is None
    _upload(admin, "crest.svg", f'<svg {SVG_NS} viewBox="0 0 200 100"><circle cx="100" cy="50" r="40" '
                                'fill="#1d3d5c"/></svg>'.encode())
    with app.app_context():
        logo = logo_for_documents()
    assert logo["src"].startswith("data:image/png;base64,")
    assert (logo["alt"], logo["width"], logo["height"]) == ("Example County Council logo", 1200, 600)
    assert len(logo["sha256"]) == 64

    fetcher = render.AssetOnlyFetcher()
    html = (f'<html lang="en"><head><title>Cover</title></head><body>'
            f'<img src="{logo["src"]}" alt="{logo["alt"]}" style="width: 6cm"><h1>Report</h1></body></html>')
    out = io.BytesIO()
    render.layout(html, fetcher).write_pdf(out)
    assert fetcher.refused == []
    [page] = PdfReader(out).pages
    [image] = page.images
    assert image.image.size == (1200, 600)


@pytest.mark.parametrize("url", [
    "data:text/html;base64,PHNjcmlwdD4=",
    "data:image/png,not-base64",
    "data:image/svg+xml;utf8,<svg/>",
    "data:image/gif;base64,R0lGODlh",
])
def test_the_renderer_takes_no_other_inline_data(url):
    from scrutiny.documents import render

    fetcher = render.AssetOnlyFetcher()
    with pytest.raises(render.RefusedURL):
        fetcher.fetch(url)
    assert fetcher.fetch("data:image/svg+xml;base64,PHN2Zy8+").read() == b"<svg/>"
