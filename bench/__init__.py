"""Speed measurements for Scrutiny, run with `make bench` (`python -m bench`).

The project's rule: speed is measured here and printed as ratios against a
reference timed in the same run, never asserted in the tests.

- `bench.synthetic`: a reproducible synthetic data set (topic groups and all
  that hangs off them), made through the app's own services.
- `bench.pages`: times the main pages over Flask's test client, with SQL
  statement counts, against the app's own static stylesheet as reference.
- `bench.evidence`: one topic group full of evidence (N accepted submissions
  with summaries and Markdown bodies, M presentation PDFs in storage, evidence
  sessions, findings, recommendations to K addressees) for the documents.
- `bench.documents`: the final report's build against raw WeasyPrint on the
  very same HTML: time (where it goes), peak memory at two sizes, nothing
  rebuilt when nothing changed, and the web's p95 while a worker builds.
- `bench.child`: one build in a process of its own (`python -m bench.child`),
  so its peak memory is its own.
- `bench.load`: the public review page and its report PDF read by 10, 50
  and 200 readers at once through gunicorn (locust, `bench/locustfile.py`,
  in a process of its own), against the stylesheet through the same server.
- `bench.report`: prints the results as tables (and JSON).

`python -m bench` runs the page benchmark, the document one, then the load
run; `--only pages|documents|load` runs one, `--quick` makes the document one
a smoke run.
"""
