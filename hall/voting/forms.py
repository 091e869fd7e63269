"""The voting pages' forms, and how the set-up form's text reaches the service: through the
very schema the API loads (`schemas.VoteCreateSchema`), so a plan typed on the page and one
sent to the API are read alike and refused under the same field names."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext, lazy_gettext
from flask_wtf import FlaskForm
from marshmallow import ValidationError
from wtforms import (
    BooleanField,
    Field,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Regexp

from hall.types import utcnow
from hall.voting import rules, schemas, service
from hall.voting.labels import (
    COST_BASE_NAMES,
    IF_FAILED_NAMES,
    RULE_PRESET_NAMES,
    SILENCE_NAMES,
    VOTE_KIND_NAMES,
)
from hall.voting.models import VoteKind
from hall.web.i18n import field_message

try:
    from wtforms import SelectChoice
except ImportError:  # WTForms before 3.3 takes (value, label) pairs
    SelectChoice = None

FORM_PLANS = 3  # plans the set-up form offers; the API takes up to service.MAX_PLANS
TOO_LONG = lazy_gettext("The text is too long.")
CHOOSE = lazy_gettext("Choose…")


def choice(value: str, label) -> object:
    return SelectChoice(value, label) if SelectChoice is not None else (value, label)


def choices(names: Mapping) -> list:
    return [choice(str(value), label) for value, label in names.items()]


# No account has this id: a proxy form naming a username nobody has is refused by the
# service as one naming someone who lives elsewhere, so the form does not tell which exist.
NO_ACCOUNT = 0


class ActionForm(FlaskForm):
    """A button's form: its CSRF token and nothing else."""


class PageForm(FlaskForm):
    """A form of the vote page, shown again when one of its fields is wrong."""

    def shows_errors(self) -> bool:
        return any(field.errors for field in self)


class BallotForm(FlaskForm):
    choice = HiddenField()
    unit = HiddenField()  # empty for the voter's own household
    replaces = HiddenField()  # the receipt of the ballot being changed

    def unit_id(self) -> int | None:
        return whole_number(self.unit.data)


class ProxyForm(PageForm):
    username = StringField(
        lazy_gettext("Your neighbour's username in Hall"),
        validators=[
            InputRequired(lazy_gettext("Give your neighbour's username.")),
            Length(max=64, message=lazy_gettext("A username is at most 64 characters.")),
        ],
        render_kw={"autocapitalize": "none", "spellcheck": "false", "autocomplete": "off"},
    )
    authorisation = TextAreaField(
        lazy_gettext("What you authorise them to do"),
        validators=[
            InputRequired(
                lazy_gettext(
                    "Say what authorises the proxy: the letter's reference or the owner's words."
                )
            ),
            Length(max=schemas.TEXT_MAX, message=TOO_LONG),
        ],
        render_kw={"rows": 2},
    )

    def fields(self) -> dict[str, Field]:
        return {"proxy_account_id": self.username, "authorisation": self.authorisation}


def default_authorisation() -> str:
    return gettext("I authorise this neighbour to cast my household's ballot in this vote.")


class CloseForm(PageForm):
    if_failed = RadioField(
        lazy_gettext("If the vote fails, the issue goes"),
        choices=choices(IF_FAILED_NAMES),
        validate_choice=False,
        validators=[InputRequired(lazy_gettext("Say where the issue goes if the vote fails."))],
    )
    reason = TextAreaField(
        lazy_gettext("Reason for closing before the closing time"),
        validators=[Length(max=schemas.TEXT_MAX, message=TOO_LONG)],
        render_kw={"rows": 2},
    )

    def fields(self) -> dict[str, Field]:
        return {"if_failed": self.if_failed, "reason": self.reason}


class PaperForm(PageForm):
    unit = SelectField(
        lazy_gettext("Household"),
        validate_choice=False,
        validators=[
            InputRequired(lazy_gettext("Choose the household of the sheet.")),
            Regexp(r"^\d+$", message=lazy_gettext("Choose the household of the sheet.")),
        ],
    )
    choice = SelectField(
        lazy_gettext("Choice marked on the sheet"),
        validate_choice=False,
        validators=[InputRequired(lazy_gettext("Choose one of the options offered."))],
    )
    sheet = StringField(
        lazy_gettext("Sheet reference"),
        validators=[
            InputRequired(
                lazy_gettext("Give the paper sheet's reference, so the sheet can be found again.")
            ),
            Length(max=schemas.SHEET_MAX, message=TOO_LONG),
        ],
    )

    def offer(self, units: list[tuple[int, str]], options: list[dict]) -> PaperForm:
        """The electorate's households and the vote's options to choose from."""
        self.unit.choices = [choice("", CHOOSE)] + [choice(str(i), label) for i, label in units]
        self.choice.choices = [choice("", CHOOSE)] + [
            choice(option["key"], option["label"]) for option in options
        ]
        return self

    def fields(self) -> dict[str, Field]:
        return {"unit": self.unit, "choice": self.choice, "sheet": self.sheet}


class RejectForm(PageForm):
    reason = TextAreaField(
        lazy_gettext("What is wrong with the sheet?"),
        validators=[
            InputRequired(lazy_gettext("Say what is wrong with the sheet.")),
            Length(max=schemas.TEXT_MAX, message=TOO_LONG),
        ],
        render_kw={"rows": 2},
    )


def whole_number(text: str | None) -> int | None:
    return int(text) if (text or "").isdigit() else None


# Setting a vote up ------------------------------------------------------------------------------

# What the schema checks is not checked again here: the form only carries the text.


class PlanForm(Form):
    """One cost-sharing plan of the set-up form; a plan left blank is not offered."""

    name = StringField(lazy_gettext("Name of the plan"))
    total = StringField(lazy_gettext("Total cost, in yuan"), render_kw={"inputmode": "decimal"})
    subsidy = StringField(lazy_gettext("Subsidy, in yuan"), render_kw={"inputmode": "decimal"})
    base = SelectField(
        lazy_gettext("What the cost is shared by"),
        choices=choices(COST_BASE_NAMES),
        default="area",
        validate_choice=False,
    )
    floor_coefficients = StringField(lazy_gettext("Coefficient of each floor"))
    compensation = StringField(lazy_gettext("Compensation paid to each flat, by floor, in yuan"))


PLAN_TEXTS = ("total", "subsidy", "floor_coefficients", "compensation")


class VoteForm(FlaskForm):
    title = StringField(lazy_gettext("Title of the vote"))
    kind = RadioField(
        lazy_gettext("What do the owners choose?"),
        choices=choices(VOTE_KIND_NAMES),
        default=VoteKind.PLANS.value,
        validate_choice=False,
    )
    preset = SelectField(
        lazy_gettext("Rule"),
        choices=choices(RULE_PRESET_NAMES),
        default=rules.MAJOR_MATTER,
        validate_choice=False,
    )
    silence = RadioField(
        lazy_gettext("Owners who do not vote"),
        choices=choices(SILENCE_NAMES),
        default=rules.Silence.NOT_COUNTED.value,
        validate_choice=False,
    )
    secret = BooleanField(lazy_gettext("Secret ballot"))
    live_results = BooleanField(
        lazy_gettext("Show each option's count while the vote is open"), default=True
    )
    closes_at = StringField(lazy_gettext("Closes at"), render_kw={"type": "datetime-local"})
    plans = FieldList(FormField(PlanForm), min_entries=FORM_PLANS, max_entries=FORM_PLANS)


class Problems:
    """Where errors about no one field of the set-up form go: above the form, or above the
    plans (there are not two to choose from)."""

    def __init__(self) -> None:
        self.errors: list[str] = []


class SetupFields(Mapping):
    """The set-up form's fields under the names the schema and the service give them:
    "title", "rule.silence", "plans.1.plan.compensation.3" (the second plan offered, which
    need not be the form's second: blank plans are left out)."""

    _NAME = re.compile(
        r"plans\.(?P<number>\d+)\.(?:label|plan\.(?P<field>\w+)(?:\.(?P<floor>-?\d+))?)"
    )

    def __init__(self, form: VoteForm, offered: list[int]):
        self.form = form
        self.offered = offered
        self.plans = Problems()
        self.above = Problems()
        self._top = {
            "title": form.title,
            "kind": form.kind,
            "closes_at": form.closes_at,
            "secret": form.secret,
            "live_results": form.live_results,
            "rule.silence": form.silence,
            "plans": self.plans,
        }

    def __getitem__(self, name: str):
        if name in self._top:
            return self._top[name]
        if name == "rule" or name.startswith("rule."):
            return self.form.preset
        match = self._NAME.match(name)
        if match is not None and int(match["number"]) < len(self.offered):
            plan = self.form.plans[self.offered[int(match["number"])]]
            target = plan._fields.get(match["field"] or "name", self.plans)
            if match["floor"] is not None and match["field"] in FLOOR_TEXTS:
                return ByFloor(target, match["floor"])
            return target
        if name.startswith("plans"):
            return self.plans
        return self.above

    def __iter__(self) -> Iterator[str]:
        return iter(self._top)

    def __len__(self) -> int:
        return len(self._top)


FLOOR_TEXTS = ("floor_coefficients", "compensation")


class ByFloor:
    """A floor list's input, as the target of an error about one of its floors: the error
    is shown beside the input, saying which floor ("Floor 3: ...")."""

    def __init__(self, field: Field, floor: str):
        self.field = field
        self.floor = floor

    @property
    def errors(self) -> list[str]:
        return list(self.field.errors or [])

    @errors.setter
    def errors(self, errors: list[str]) -> None:
        known = list(self.field.errors or [])
        added = [
            gettext("Floor %(floor)s: %(message)s", floor=self.floor, message=message)
            for message in errors[len(known) :]
        ]
        self.field.errors = known + added


def setup_body(form: VoteForm, zone: ZoneInfo) -> tuple[dict, list[int]]:
    """The form as the API's body, its text as typed; and the form's number of each plan
    offered (blank ones are left out)."""
    plans, offered = [], []
    for index, plan in enumerate(form.plans):
        texts = {name: (plan[name].data or "").strip() for name in ("name", *PLAN_TEXTS)}
        if not any(texts.values()):
            continue
        terms = {name: texts[name] for name in PLAN_TEXTS if texts[name]}
        entry = {"plan": {**terms, "base": plan.base.data or "area"}}
        if texts["name"]:
            entry["label"] = texts["name"]
        plans.append(entry)
        offered.append(index)
    body = {
        "title": form.title.data or "",
        "kind": form.kind.data or "",
        "rule": {"preset": form.preset.data or "", "silence": form.silence.data or ""},
        "closes_at": closing_time(form.closes_at.data, zone),
        "secret": bool(form.secret.data),
        "live_results": bool(form.live_results.data),
        "plans": plans,
    }
    return body, offered


def read_setup(form: VoteForm, zone: ZoneInfo) -> tuple[service.VoteSpec | None, SetupFields]:
    """The vote the form describes, read by the API's schema; None where a field does not
    read, its error beside it in the page's language."""
    body, offered = setup_body(form, zone)
    fields = SetupFields(form, offered)
    try:
        return schemas.vote_spec(schemas.VoteCreateSchema().load(body)), fields
    except ValidationError as error:
        place(error.messages, fields)
        return None, fields


def place(messages: Mapping, fields: SetupFields) -> None:
    for name, said in messages.items():
        target = fields[str(name)]
        texts = [field_message(text) for text in _texts(said)]
        target.errors = list(target.errors or []) + texts


def _texts(said) -> list[str]:
    if isinstance(said, str):
        return [said]
    if isinstance(said, Mapping):
        return [text for inner in said.values() for text in _texts(inner)]
    return [text for inner in said for text in _texts(inner)]


_CLOSES_AT = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M")


def closing_time(text: str | None, zone: ZoneInfo) -> str:
    """A datetime-local input's value, in the community's time zone, as the API's ISO time;
    text that does not read is passed on for the schema to refuse."""
    for pattern in _CLOSES_AT:
        try:
            moment = datetime.strptime((text or "").strip(), pattern)
        except ValueError:
            continue
        return moment.replace(tzinfo=zone).astimezone(UTC).isoformat()
    return text or ""


def default_closing(zone: ZoneInfo) -> str:
    """A week from now, on the hour, as a datetime-local input shows it."""
    moment = (utcnow() + timedelta(days=7)).astimezone(zone)
    return moment.replace(minute=0, second=0, microsecond=0).strftime("%Y-%m-%dT%H:%M")
