from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSubmitInput
from wtforms import FileField, SubmitField


class LogoForm(FlaskForm):
    logo = FileField("Upload the council’s logo", widget=GovFileInput(),
                     description="A PNG or SVG file, up to {limit}. PNG images may be up to 4000 pixels each way; "
                                 "an SVG is turned into a PNG image.")
    submit = SubmitField("Upload logo", widget=GovSubmitInput())


class RemoveLogoForm(FlaskForm):
    """Only its CSRF token: the page renders the button itself (one form's ids per page)."""
