"""Tables of records stack on narrow screens: the `stacked` filter marks a
table and labels each data cell with its column's visible header, which
app.scss shows above the cell below the tablet breakpoint."""
from __future__ import annotations

from bs4 import BeautifulSoup

from scrutiny.tables import stacked

TABLE = """<table class="govuk-table">
  <caption class="govuk-table__caption">Addressees</caption>
  <thead class="govuk-table__head"><tr class="govuk-table__row">
    <th scope="col" class="govuk-table__header">Organisation</th>
    <th scope="col" class="govuk-table__header">Response <abbr title="due">due</abbr> &amp; date</th>
    <th scope="col" class="govuk-table__header">Letter</th>
    <th scope="col" class="govuk-table__header"><span class="govuk-visually-hidden">Actions</span></th>
  </tr></thead>
  <tbody class="govuk-table__body">
    <tr class="govuk-table__row">
      <th scope="row" class="govuk-table__header">Trust<br><span class="govuk-body-s">NHS body</span></th>
      <td class="govuk-table__cell">1 May<br>
        28 days</td>
      <td class="govuk-table__cell"><span class="govuk-visually-hidden">Hidden</span>Version 1</td>
      <td class="govuk-table__cell"><a href="/x">Change<span class="govuk-visually-hidden"> date</span></a></td>
    </tr>
    <tr class="govuk-table__row">
      <td class="govuk-table__cell" colspan="2">Council</td>
      <td class="govuk-table__cell">None</td>
      <td class="govuk-table__cell"></td>
    </tr>
  </tbody>
</table>"""


def test_each_cell_is_labelled_with_its_visible_column_header():
    soup = BeautifulSoup(str(stacked(TABLE)), "html.parser")
    assert soup.table["class"] == ["app-table--stack", "govuk-table"]
    rows = soup.select("tbody tr")
    assert [td.get("data-label") for td in rows[0].find_all("td")] == ["Response due & date", "Letter", None]
    assert [td.get("data-label") for td in rows[1].find_all("td")] == ["Organisation", "Letter", None]
    assert rows[0].th.get("data-label") is None  # the row's own header heads the stacked block


def test_the_rest_of_the_markup_is_kept_as_it_was():
    out = str(stacked(TABLE))
    for cell in ('<span class="govuk-visually-hidden">Hidden</span>Version 1', "1 May<br>\n        28 days",
                 '<abbr title="due">due</abbr> &amp; date'):
        assert cell in out
    assert out.replace(' data-label="Response due &amp; date"', "").replace(' data-label="Letter"', "").replace(
        ' data-label="Organisation"', "").replace("app-table--stack ", "") == TABLE


def test_a_label_is_escaped_and_text_without_a_table_is_left_alone():
    out = str(stacked('<table><thead><tr><th>Say "hi" &lt;b&gt;</th></tr></thead><tbody><tr><td>x</td></tr></tbody></table>'))
    assert 'data-label="Say &quot;hi&quot; &lt;b&gt;"' in out and '<table class="app-table--stack">' in out
    assert str(stacked("<p>No table</p>")) == "<p>No table</p>"
