"""Entry point for the worker: `flask --app worker_app worker`. The app
without its pages (create_app(web=False)), so each build's process is
smaller; see scrutiny.create_app."""
from scrutiny import create_app

app = create_app(web=False)
