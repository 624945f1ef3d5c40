"""The service's accessibility statement (GOV.UK's model statement): how
accessible the pages are, how to report a problem, how they were tested."""
