"""Lists must not run a query per group: the count stays flat as groups grow
(a count, not a timing; timings live in bench/)."""
from bench.synthetic import OFFICER_EMAIL, PASSWORD, make_groups
from tests.conftest import Browser
from tests.queries import queries_for


def test_group_list_and_group_page_queries_do_not_grow_with_data(app, client):
    with app.app_context():
        first = make_groups(3, 4, seed=7)
    browser = Browser(client)
    browser.sign_in(OFFICER_EMAIL, PASSWORD)
    before = queries_for(app, client, "/groups")
    with app.app_context():
        more = make_groups(12, 4, seed=7, start=3)
    assert queries_for(app, client, "/groups") == before

    # Groups with different numbers of findings, recommendations and addressees
    # cost the same number of queries to show.
    per_group = {queries_for(app, client, f"/groups/{slug}") for slug in first.group_slugs + more.group_slugs}
    assert len(per_group) == 1, per_group
