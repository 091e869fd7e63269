"""The issue stage's page forms. Flask-WTF adds and checks the CSRF token of each; what a
form's values mean is the service's to judge, so these hold only what a browser must send."""

from __future__ import annotations

from flask_babel import gettext, lazy_gettext
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    MultipleFileField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional

from hall.issues import service, threads
from hall.issues.labels import ISSUE_STATE_NAMES, SCOPE_KIND_NAMES, STANCE_NAMES, category_label
from hall.issues.lifecycle import Name, State
from hall.issues.models import ScopeKind, Stance

try:
    from wtforms import SelectChoice
except ImportError:  # WTForms before 3.3 takes (value, label) pairs
    SelectChoice = None


def choice(value: str, label) -> object:
    return SelectChoice(value, label) if SelectChoice is not None else (value, label)


class PageForm(FlaskForm):
    """A page's form: `REFUSAL_FIELDS` says beside which of its fields a service's refusal
    about a field is shown (by the service's name for it); any other is flashed."""

    REFUSAL_FIELDS: dict[str, str] = {}

    @property
    def refusal_fields(self) -> dict:
        return {service_name: self[name] for service_name, name in self.REFUSAL_FIELDS.items()}


class IssueFilterForm(FlaskForm):
    """The list's filters: a GET form, so a filtered list has an address of its own."""

    class Meta:
        csrf = False

    state = SelectField(lazy_gettext("State"), validate_choice=False, default="")
    category = SelectField(lazy_gettext("Category"), validate_choice=False, default="")
    building = SelectField(lazy_gettext("Building"), validate_choice=False, default="")
    mine = BooleanField(lazy_gettext("Only issues I proposed"))
    q = StringField(lazy_gettext("Words in the title or description"))

    def offer(self, categories: list[str], buildings) -> None:
        """The choices: every state, the community's categories and its buildings."""
        self.state.choices = [choice("", gettext("Any state"))] + [
            choice(state.value, ISSUE_STATE_NAMES[state]) for state in State
        ]
        self.category.choices = [choice("", gettext("Any category"))] + [
            choice(category, category_label(category)) for category in categories
        ]
        self.building.choices = [choice("", gettext("Any building"))] + [
            choice(str(building.id), building.name) for building in buildings
        ]

    def narrows(self, filters: service.IssueFilters) -> bool:
        """Whether the list shown is narrowed by any filter (a page of it aside)."""
        return any(
            (filters.state, filters.category, filters.building_id, filters.mine, filters.words)
        )

    def filters(self, building_ids: set[int], page: str | None) -> service.IssueFilters:
        """What the list is narrowed to; a value no choice offers is left out, not refused (a
        filtered list's address may outlive a building or a category)."""
        try:
            state = State(self.state.data) if self.state.data else None
        except ValueError:
            state = None
        building = self.building.data or ""
        building_id = int(building) if building.isdigit() else None
        page = page or "1"
        return service.IssueFilters(
            state=state,
            category=self.category.data or None,
            building_id=building_id if building_id in building_ids else None,
            mine=bool(self.mine.data),
            words=(self.q.data or "")[:100],
            page=max(1, min(int(page), 10_000)) if page.isdigit() else 1,
        )


class IssueForm(PageForm):
    REFUSAL_FIELDS = {
        "title": "title", "body": "body", "category": "category", "scope": "scope_kind"
    }  # fmt: skip

    title = StringField(
        lazy_gettext("Title"),
        validators=[
            InputRequired(lazy_gettext("Give the issue a title.")),
            Length(max=service.TITLE_MAX, message=lazy_gettext("The title is too long.")),
        ],
    )
    body = TextAreaField(
        lazy_gettext("Description"),
        validators=[
            InputRequired(lazy_gettext("Describe the issue.")),
            Length(max=service.BODY_MAX, message=lazy_gettext("The description is too long.")),
        ],
        render_kw={"rows": 8},
    )
    category = SelectField(lazy_gettext("Category"), validate_choice=False)
    scope_kind = RadioField(
        lazy_gettext("Whom does it concern?"),
        choices=[choice(kind.value, SCOPE_KIND_NAMES[kind]) for kind in ScopeKind],
        default=ScopeKind.COMMUNITY.value,
        validate_choice=False,
    )
    buildings = SelectMultipleField(lazy_gettext("Buildings"), coerce=int, validate_choice=False)
    stairwells = SelectMultipleField(lazy_gettext("Stairwells"), coerce=int, validate_choice=False)
    units = SelectMultipleField(lazy_gettext("Units"), coerce=int, validate_choice=False)
    photos = MultipleFileField(
        lazy_gettext("Photos (optional)"),
        render_kw={"accept": "image/jpeg,image/png,image/webp", "multiple": True},
    )
    save_draft = SubmitField(lazy_gettext("Save as a draft"))
    publish = SubmitField(lazy_gettext("Publish now"))

    def offer(self, categories: list[str]) -> None:
        self.category.choices = [choice(name, category_label(name)) for name in categories]

    def proposal(self) -> dict:
        """What `service.create_issue` is asked for. Of the places ticked, those of the kind
        of scope chosen (a browser keeps ticks in the groups it has hidden)."""
        try:
            kind = ScopeKind(self.scope_kind.data)
        except ValueError:
            kind = ScopeKind.COMMUNITY
        places = {
            ScopeKind.COMMUNITY: [],
            ScopeKind.BUILDINGS: self.buildings.data,
            ScopeKind.STAIRWELLS: self.stairwells.data,
            ScopeKind.UNITS: self.units.data,
        }[kind]
        return {
            "title": self.title.data,
            "body": self.body.data,
            "category": self.category.data or "",
            "scope_kind": kind,
            "scope_ids": list(places or []),
            "submit": bool(self.publish.data),
        }


class EditCommentForm(PageForm):
    REFUSAL_FIELDS = {"body": "body", "stance": "stance"}

    body = TextAreaField(
        lazy_gettext("Your comment"),
        validators=[
            InputRequired(lazy_gettext("Write something first.")),
            Length(max=threads.COMMENT_MAX, message=lazy_gettext("The comment is too long.")),
        ],
        render_kw={"rows": 4},
    )
    stance = RadioField(
        lazy_gettext("Your stance on the issue"),
        choices=[choice(stance.value, STANCE_NAMES[stance]) for stance in Stance],
        validate_choice=False,
    )
    submit = SubmitField(lazy_gettext("Save the change"))

    def chosen_stance(self) -> Stance | None:
        try:
            return Stance(self.stance.data)
        except ValueError:
            return None

    def changes(self, depth: int) -> dict:
        """What `threads.edit_comment` is asked for: a stance only for a top-level comment."""
        return {"body": self.body.data, "stance": self.chosen_stance() if depth == 1 else None}


class CommentForm(EditCommentForm):
    """A new comment: the edit's fields, where it goes in the thread, and whether official."""

    parent_id = HiddenField()
    official = BooleanField(lazy_gettext("Post as an official reply"))
    submit = SubmitField(lazy_gettext("Post the comment"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("stance", Stance.NEUTRAL.value)
        super().__init__(*args, **kwargs)

    def comment(self) -> dict:
        """What `threads.post_comment` is asked for: a reply takes no stance (its form has
        none, so the field keeps its default)."""
        value = self.parent_id.data or ""
        parent_id = int(value) if value.isdigit() else None
        return {
            "body": self.body.data,
            "parent_id": parent_id,
            "stance": self.chosen_stance() if parent_id is None else None,
            "official": bool(self.official.data),
        }


class ReportForm(PageForm):
    REFUSAL_FIELDS = {"reason": "reason"}

    reason = TextAreaField(
        lazy_gettext("What is wrong with it? (optional)"),
        validators=[
            Length(max=threads.REASON_MAX, message=lazy_gettext("The reason is too long."))
        ],
        render_kw={"rows": 3},
    )
    submit = SubmitField(lazy_gettext("Report the comment"))


class ModerateForm(PageForm):
    REFUSAL_FIELDS = {"reason": "reason"}

    action = HiddenField()
    reason = TextAreaField(
        lazy_gettext("Reason, shown in the comment's place"),
        validators=[
            InputRequired(lazy_gettext("Give a reason.")),
            Length(max=threads.REASON_MAX, message=lazy_gettext("The reason is too long.")),
        ],
        render_kw={"rows": 2},
    )
    next = HiddenField()


class DeleteCommentForm(PageForm):
    submit = SubmitField(lazy_gettext("Delete the comment"))


class SupportForm(FlaskForm):
    # Not named "action": a form's input of that name hides the form's own `action` from
    # scripts (form.action would be the input, not the address).
    change = HiddenField(default="support")

    @property
    def withdraws(self) -> bool:
        return self.change.data == "withdraw"


class IssueNumberField(IntegerField):
    """The number people quote an issue by (#12), said in their words when it is not one."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(lazy_gettext("Enter the issue's number, such as 12.")) from None


class TransitionForm(PageForm):
    REFUSAL_FIELDS = {"reason": "reason", "merge_into": "merge_number", "transition": "transition"}

    transition = HiddenField()
    reason = TextAreaField(lazy_gettext("Reason"), render_kw={"rows": 2})
    merge_number = IssueNumberField(
        lazy_gettext("Number of the issue to merge into"), validators=[Optional()]
    )

    def step(self) -> dict:
        """What `service.transition` is asked for, the issue to merge into aside."""
        return {"name": self.transition.data or "", "reason": self.reason.data or ""}

    def merge_target(self) -> int | None:
        """The number (#12) of the issue to merge into, when the step is a merge."""
        return self.merge_number.data if self.transition.data == Name.MERGE else None


class MarkReadForm(FlaskForm):
    submit = SubmitField(lazy_gettext("Mark all as read"))
