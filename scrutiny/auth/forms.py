from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovPasswordInput, GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import BooleanField, EmailField, PasswordField, RadioField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from scrutiny.auth.models import Role
from scrutiny.auth.services import MIN_PASSWORD_LENGTH
from scrutiny.forms import choice_list

ROLE_CHOICES = choice_list((r.value, r.label) for r in Role)


class SignInForm(FlaskForm):
    email = EmailField("Email address", widget=GovTextInput(),
                       validators=[DataRequired("Enter your email address")])
    password = PasswordField("Password", widget=GovPasswordInput(),
                             validators=[DataRequired("Enter your password")])
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class _UserFields(FlaskForm):
    name = StringField("Full name", widget=GovTextInput(),
                       validators=[DataRequired("Enter the person’s full name"), Length(max=200)])
    role = RadioField("Role", choices=ROLE_CHOICES, widget=GovRadioInput(),
                      validators=[DataRequired("Choose a role")],
                      description="Officers organise topic groups. Councillors read and comment on their own groups.")


class NewUserForm(_UserFields):
    email = EmailField("Email address", widget=GovTextInput(), validators=[
        DataRequired("Enter an email address"),
        Email("Enter an email address in the correct format, like name@example.org"),
        Length(max=254),
    ])
    password = PasswordField("Password", widget=GovPasswordInput(), validators=[
        DataRequired("Enter a password"),
        Length(min=MIN_PASSWORD_LENGTH, message=f"Password must be at least {MIN_PASSWORD_LENGTH} characters"),
    ])
    confirm = PasswordField("Confirm password", widget=GovPasswordInput(), validators=[
        DataRequired("Enter the password again"),
        EqualTo("password", "The passwords do not match"),
    ])
    submit = SubmitField("Add user", widget=GovSubmitInput())


class EditUserForm(_UserFields):
    active = BooleanField("Account is active (can sign in)", widget=GovCheckboxInput())
    password = PasswordField("New password (optional)", widget=GovPasswordInput(), validators=[
        Optional(),
        Length(min=MIN_PASSWORD_LENGTH, message=f"Password must be at least {MIN_PASSWORD_LENGTH} characters"),
    ])
    submit = SubmitField("Save changes", widget=GovSubmitInput())



PASSWORD_HINT = f"At least {MIN_PASSWORD_LENGTH} characters. Three random words work well."


# Made per form, not inherited: a field's place in the error summary is the
# order it was made in.
def _new_password() -> PasswordField:
    return PasswordField("New password", widget=GovPasswordInput(), description=PASSWORD_HINT, validators=[
        DataRequired("Enter a new password"),
        Length(min=MIN_PASSWORD_LENGTH, message=f"Password must be at least {MIN_PASSWORD_LENGTH} characters"),
    ])


def _confirm() -> PasswordField:
    return PasswordField("Confirm new password", widget=GovPasswordInput(), validators=[
        DataRequired("Enter the new password again"),
        EqualTo("password", "The passwords do not match"),
    ])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Current password", widget=GovPasswordInput(),
                                     validators=[DataRequired("Enter your current password")])
    password = _new_password()
    confirm = _confirm()
    submit = SubmitField("Change password", widget=GovSubmitInput())


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Email address", widget=GovTextInput(), validators=[
        DataRequired("Enter your email address"),
        Email("Enter an email address in the correct format, like name@example.org"),
        Length(max=254),
    ])
    submit = SubmitField("Send the link", widget=GovSubmitInput())


class ResetPasswordForm(FlaskForm):
    password = _new_password()
    confirm = _confirm()
    submit = SubmitField("Save new password", widget=GovSubmitInput())
