from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput, GovCheckboxInput, GovRadioInput, GovSubmitInput, GovTextArea, GovTextInput)
from wtforms import BooleanField, EmailField, RadioField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from scrutiny.community.conversations import CONTACT_METHODS
from scrutiny.community.events import LANGUAGES, EventDetails
from scrutiny.forms import DayMonthYearField, choice_list
from scrutiny.sessions.forms import Needed, TimeOfDayField

_strip = [lambda typed: typed.strip() if isinstance(typed, str) else typed]
LANGUAGE_CHOICES = choice_list(LANGUAGES.items())


class WholeNumberField(StringField):
    """A count typed in a text box (GOV.UK asks not to use type=number): 12, or blank."""

    widget = GovTextInput()

    def process_formdata(self, valuelist):
        self.raw_data = valuelist
        text = (valuelist[0] if valuelist else "").strip().replace(",", "")
        if not text:
            self.data = None
            return
        if not text.isdigit():
            self.data = None
            raise ValueError(f"{self.label.text.removesuffix(' (optional)')} must be a whole number, like 12")
        self.data = int(text)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)


class Honeypot(StringField):
    """A box people never see or fill (hidden with its label, out of the tab
    order); software that fills every box fills it too, and its sign-up is
    answered as if taken and stored nowhere (`filled`)."""

    widget = GovTextInput()

    def filled(self) -> bool:
        return bool((self.data or "").strip())


class EventForm(FlaskForm):
    title = StringField("Title", widget=GovTextInput(), filters=_strip,
                        description="For example, Talking about health services: Bengali and Sylheti speakers",
                        validators=[DataRequired("Enter a title for the discussion"), Length(max=300)])
    description = TextAreaField("What the discussion is about (optional)", widget=GovTextArea(),
                                validators=[Optional(), Length(max=20_000)],
                                description="Shown on the public page. Leave a blank line between paragraphs.")
    date = DayMonthYearField("Date", description="For example, 14 10 2026",
                             validators=[Needed("Enter the date of the discussion")])
    start_time = TimeOfDayField("Start time", description="Use the 24-hour clock, for example 18:30",
                                validators=[Needed("Enter the time the discussion starts")])
    end_time = TimeOfDayField("End time", description="For example, 20:00",
                              validators=[Needed("Enter the time the discussion ends")])
    online = RadioField("Where is it held?", widget=GovRadioInput(), validate_choice=False,
                        choices=choice_list([("place", "In a place"), ("online", "Online")]),
                        validators=[DataRequired("Choose whether the discussion is in a place or online")])
    place = TextAreaField("Address of the place", widget=GovTextArea(), validators=[Optional(), Length(max=2000)],
                          description="Shown on the public page, for example Hertford Community Centre, "
                                      "12 Fore Street, Hertford SG14 1AB")
    joining_details = TextAreaField("How to join online", widget=GovTextArea(),
                                    validators=[Optional(), Length(max=5000)],
                                    description="The meeting link and any code. Sent only to residents with a "
                                                "place, never shown on the public page.")
    capacity = WholeNumberField("Number of places", description="Everyone, including places held back",
                                validators=[Needed("Enter the number of places")])
    held_back = WholeNumberField("Places held back for invited groups (optional)",
                                 description="Officers book these for community groups they invite; the public "
                                             "sign-up offers the rest.")
    languages = SelectMultipleField("Languages spoken at the discussion", widget=GovCheckboxesInput(),
                                    choices=LANGUAGE_CHOICES, validate_choice=False)
    access_offered = TextAreaField("Access and support offered (optional)", widget=GovTextArea(),
                                   validators=[Optional(), Length(max=5000)],
                                   description="For example, step-free access, hearing loop, interpreters, "
                                               "travel costs paid")
    terms = TextAreaField("Terms residents accept when signing up (optional)", widget=GovTextArea(),
                          validators=[Optional(), Length(max=10_000)],
                          description="For example, that notes are taken without names")
    accept_hours = WholeNumberField("Hours to accept a place offered from the waiting list",
                                    validators=[Needed("Enter the hours to accept an offered place")])
    submit = SubmitField("Save discussion", widget=GovSubmitInput())

    def details(self) -> EventDetails:
        return EventDetails(
            title=self.title.data or "", description=self.description.data or "", day=self.date.data,
            starts=self.start_time.data, ends=self.end_time.data, online=self.online.data == "online",
            place=self.place.data or "", joining_details=self.joining_details.data or "",
            capacity=self.capacity.data, held_back=self.held_back.data or 0,
            languages=list(self.languages.data or []), access_offered=self.access_offered.data or "",
            terms=self.terms.data or "", accept_hours=self.accept_hours.data)


class ButtonForm(FlaskForm):
    """A page whose only field is its button (and the CSRF token)."""


class BookHeldBackForm(FlaskForm):
    invited_group = StringField("Invited group", widget=GovTextInput(), filters=_strip,
                                description="The community group the places are for, for example Hertford Bangladeshi "
                                            "Women’s Group",
                                validators=[DataRequired("Enter the name of the invited group"), Length(max=200)])
    places = WholeNumberField("Number of places", validators=[Needed("Enter how many places to book")])
    submit = SubmitField("Book places", widget=GovSubmitInput())


class CloseEventForm(FlaskForm):
    attendees = WholeNumberField("How many people attended?", validators=[Needed("Enter how many people attended")])
    organisations = TextAreaField("Organisations present (optional)", widget=GovTextArea(),
                                  validators=[Optional(), Length(max=5000)],
                                  description="Community groups and services, one a line. Name no resident.")
    languages_used = SelectMultipleField("Languages used", widget=GovCheckboxesInput(), choices=LANGUAGE_CHOICES,
                                         validate_choice=False)
    submit = SubmitField("Close the discussion", widget=GovSubmitInput())


class SignupForm(FlaskForm):
    name = StringField(_l("Your name"), widget=GovTextInput(), filters=_strip,
                       validators=[DataRequired(_l("Enter your name")),
                                   Length(max=200, message=_l("Enter a name of 200 characters or fewer"))])
    email = EmailField(_l("Email address"), widget=GovTextInput(), filters=_strip,
                       description=_l("We send your confirmation here, and a link to cancel."),
                       validators=[DataRequired(_l("Enter your email address")),
                                   Email(_l("Enter an email address in the correct format, like name@example.org")),
                                   Length(max=254, message=_l("Enter an email address of 254 characters or fewer"))])
    phone = StringField(_l("Phone number (optional)"), widget=GovTextInput(), filters=_strip,
                        description=_l("Only if you would like us to call you about your place."),
                        validators=[Optional(), Length(max=40, message=_l("Enter a phone number of 40 characters or fewer"))])
    access_needs = TextAreaField(_l("Access needs (optional)"), widget=GovTextArea(),
                                 description=_l("Anything we should arrange so you can take part, for example an "
                                                "interpreter, step-free access or a hearing loop."),
                                 validators=[Optional(), Length(max=2000, message=_l("Enter access needs of 2,000 characters or fewer"))])
    terms = BooleanField(_l("I accept these terms"), widget=GovCheckboxInput(),
                         validators=[DataRequired(_l("Confirm you accept the terms to sign up"))])
    website = Honeypot(_l("Leave this box empty"))
    submit = SubmitField(_l("Sign up"), widget=GovSubmitInput())


class ConversationRequestForm(FlaskForm):
    name = StringField(_l("Your name"), widget=GovTextInput(), filters=_strip,
                       validators=[DataRequired(_l("Enter your name")),
                                   Length(max=200, message=_l("Enter a name of 200 characters or fewer"))])
    preferred_language = StringField(_l("Which language would you like to speak?"), widget=GovTextInput(),
                                     filters=_strip, description=_l("For example, Bengali, Sylheti or English"),
                                     validators=[DataRequired(_l("Enter the language you would like to speak")),
                                                 Length(max=100, message=_l("Enter a language of 100 characters or fewer"))])
    contact_method = RadioField(_l("How should we contact you?"), widget=GovRadioInput(), validate_choice=False,
                                choices=choice_list(CONTACT_METHODS.items()),
                                validators=[DataRequired(_l("Choose how we should contact you"))])
    contact = StringField(_l("Your email address or phone number"), widget=GovTextInput(), filters=_strip,
                          validators=[DataRequired(_l("Enter your email address or phone number")),
                                      Length(max=254, message=_l("Enter 254 characters or fewer"))])
    times = TextAreaField(_l("When suits you? (optional)"), widget=GovTextArea(),
                          description=_l("Days and times we can reach you, for example weekday evenings after 6pm"),
                          validators=[Optional(), Length(max=1000)])
    access_needs = TextAreaField(_l("Access needs (optional)"), widget=GovTextArea(),
                                 description=_l("For example, an interpreter, or someone with you when we talk"),
                                 validators=[Optional(), Length(max=2000)])
    website = Honeypot(_l("Leave this box empty"))
    submit = SubmitField(_l("Send request"), widget=GovSubmitInput())

    def validate_contact(self, field):
        method, contact = self.contact_method.data, field.data or ""
        if method == "email" and ("@" not in contact or " " in contact or contact.startswith("@")
                                  or contact.endswith("@")):
            raise ValidationError(_l("Enter an email address in the correct format, like name@example.org"))
        if method in ("phone", "text") and sum(c.isdigit() for c in contact) < 7:
            raise ValidationError(_l("Enter a phone number, like 07700 900 982"))


class CloseConversationForm(FlaskForm):
    notes = TextAreaField("Notes on the conversation", widget=GovTextArea(),
                          description="What the resident told us, or why the conversation did not happen. Notes are "
                                      "kept after the resident’s details are erased: name no one.",
                          validators=[DataRequired("Enter notes on the conversation, or why it did not happen"),
                                      Length(max=50_000)])
    submit = SubmitField("Close the request", widget=GovSubmitInput())


class NotesForm(FlaskForm):
    title = StringField("Title", widget=GovTextInput(), filters=_strip,
                        validators=[DataRequired("Enter a title for the notes"), Length(max=300)])
    summary = TextAreaField("Summary (optional)", widget=GovTextArea(), validators=[Optional(), Length(max=2000)])
    body = TextAreaField("Notes", widget=GovTextArea(), validators=[DataRequired("Enter the notes"),
                                                                    Length(max=100_000)],
                         description="What residents said, in their words where you can. Leave a blank line "
                                     "between paragraphs.")
    themes = SelectMultipleField("Which themes do they cover?", widget=GovCheckboxesInput(), validate_choice=False,
                                 description="Choose any that apply.")
    submit = SubmitField("Add to the evidence", widget=GovSubmitInput())
