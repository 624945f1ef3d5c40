"""Structure every page needs: one h1, a title, labels, and error links that land."""
import pytest
from bs4 import BeautifulSoup

from scrutiny.auth.services import find_user
from scrutiny.organisations.services import find_by_name

GROUP = "adult-social-care-waiting-times"


def _pages(app):
    from tests.factories import make_invitation

    invitation = make_invitation(app, GROUP, "Carers in Northshire")
    with app.app_context():
        org = find_by_name("Carers in Northshire").id
        user = find_user("member@second.example").id
    return {
        "admin": ["/admin/users", "/admin/users/new", f"/admin/users/{user}/edit"],
        "officer": ["/groups", "/groups/new", f"/groups/{GROUP}", f"/groups/{GROUP}/edit", f"/groups/{GROUP}/status",
                    "/organisations/", "/organisations/new", f"/organisations/{org}/edit", "/groups/missing",
                    f"/groups/{GROUP}/invitations", f"/groups/{GROUP}/invitations/new",
                    f"/groups/{GROUP}/invitations/bulk", f"/groups/{GROUP}/invitations/import",
                    f"/groups/{GROUP}/invitations/{invitation}", f"/groups/{GROUP}/sessions",
                    f"/groups/{GROUP}/sessions/new", f"/groups/{GROUP}/evidence",
                    f"/groups/{GROUP}/publication/evidence"],
        "councillor": ["/my-groups", f"/groups/{GROUP}", "/organisations/", f"/groups/{GROUP}/sessions",
                       f"/groups/{GROUP}/evidence"],
        None: ["/sign-in"],
    }


def check_page(html: str, url: str, lang: str = "en") -> None:
    soup = BeautifulSoup(html, "html.parser")
    assert soup.html["lang"] == lang, url
    assert soup.title and soup.title.text.strip(), url
    assert len(soup.find_all("h1")) == 1, f"{url} has {len(soup.find_all('h1'))} h1"
    assert soup.select_one("a.govuk-skip-link")["href"] == "#main-content"
    assert soup.select_one("#main-content") is not None
    for field in soup.select("input, select, textarea"):
        if field.get("type") in ("hidden", "submit"):
            continue
        assert field.get("id"), f"{url}: unlabelled {field}"
        assert soup.select_one(f"label[for='{field['id']}']") is not None, f"{url}: no label for #{field['id']}"
    for table in soup.select("table"):
        assert table.select("th[scope]"), f"{url}: table without header cells"
    ids = [tag["id"] for tag in soup.select("[id]")]
    assert len(ids) == len(set(ids)), f"{url}: duplicate ids {sorted(i for i in ids if ids.count(i) > 1)}"


@pytest.mark.parametrize("role", ["admin", "officer", "councillor", None])
def test_every_page_has_one_h1_a_title_and_labelled_fields(app, browser, second_case, make_user, role):
    if role:
        browser.sign_in({"admin": make_user("admin"), "officer": "lead@second.example",
                         "councillor": "member@second.example"}[role])
    for url in _pages(app)[role]:
        response = browser.get(url)
        assert response.status_code in (200, 403, 404), url
        check_page(response.text, url)


def test_error_summary_links_point_at_fields_on_the_page(browser, second_case):
    browser.sign_in("lead@second.example")
    for url, data in (("/groups/new", {"title": "", "end_date": ["40", "1", "2026"]}),
                      ("/organisations/new", {"name": ""}),
                      (f"/groups/{GROUP}/status", {})):
        soup = BeautifulSoup(browser.submit(url, data).text, "html.parser")
        links = soup.select(".govuk-error-summary a")
        assert links, url
        for link in links:
            assert soup.select_one(link["href"]) is not None, f"{url}: {link['href']} points at nothing"
        assert soup.title.text.startswith("Error: ")


def test_every_portal_page_has_one_h1_a_title_and_labelled_fields(app, second_case, smtp, run_jobs):
    from tests.test_portal import _draft, _witness

    browser, public_id, landing, start = _witness(app, smtp, run_jobs)
    draft = _draft(browser, landing)
    from tests.test_invitations_journey import link_in, path_of
    from tests.test_portal import _send_link

    _send_link(app, run_jobs, public_id)  # a fresh link: its page with the button
    fresh = path_of(link_in(smtp.to("wit@carers.example")[-1]))
    for url in (landing, draft, f"{draft}/submit", "/portal/new-link", start, fresh):
        response = browser.get(url)
        assert response.status_code == 200, url
        check_page(response.text, url)
