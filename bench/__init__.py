"""Speed measurements for Scrutiny, run with `make bench` (`python -m bench`).

The project's rule: speed is measured here and printed as ratios against a
reference timed in the same run, never asserted in the tests.

- `bench.synthetic`: a reproducible synthetic data set (topic groups and all
  that hangs off them), made through the app's own services.
- `bench.pages`: times the main pages over Flask's test client, with SQL
  statement counts, against the app's own static stylesheet as reference.
- `bench.report`: prints the results as a table (and JSON).
"""
