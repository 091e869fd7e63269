"""Every refusal of the issue stage, defined once: a stable code, an English template marked
for translation, and the fields it concerns. Services raise them with their parameters; the
doors render them in the reader's language (hall.errors)."""

from __future__ import annotations

from hall.errors import conflict, forbidden, invalid, not_found
from hall.issues.lifecycle import Refusal
from hall.text import N_

# Finding things --------------------------------------------------------------------------------

NO_SUCH_ISSUE = not_found("no_such_issue", N_("No such issue."))
NO_SUCH_PHOTO = not_found("no_such_photo", N_("No such photo."))
NO_SUCH_COMMENT = not_found("no_such_comment", N_("No such comment."))

# Who takes part --------------------------------------------------------------------------------

NOT_IN_SCOPE = forbidden(
    "not_in_scope", N_("This issue concerns residents of its scope only, and you are not one.")
)
SUPPORT_NOT_IN_SCOPE = forbidden(
    "supports_from_residents_only", N_("Only residents of the issue's scope support it.")
)
PROPOSAL_BEYOND_BUILDINGS = forbidden(
    "proposal_beyond_your_buildings",
    N_("Your role here covers your own building: propose issues that concern it alone."),
    field="scope",
)
NOT_THE_PROPOSER = forbidden(
    "not_the_proposer", N_("Only the proposer changes an issue's text and photos.")
)
NOT_OFFICIAL = forbidden(
    "not_official",
    N_("Only the branch, the council or the subdistrict reply officially."),
    field="official",
)
NOT_THE_AUTHOR = forbidden("not_comment_author", N_("Only its author edits or deletes a comment."))

# Proposing and editing -------------------------------------------------------------------------

TITLE_EMPTY = invalid("title_empty", N_("Give the issue a title."), field="title")
TITLE_TOO_LONG = invalid("title_too_long", N_("At most %(limit)d characters."), field="title")
DESCRIPTION_EMPTY = invalid("description_empty", N_("Describe the issue."), field="body")
DESCRIPTION_TOO_LONG = invalid(
    "description_too_long", N_("At most %(limit)d characters."), field="body"
)
UNKNOWN_CATEGORY = invalid(
    "unknown_category", N_("Not one of this community's categories."), field="category"
)
NUMBER_TAKEN = conflict("issue_number_taken", N_("Another issue took this number; try again."))
NO_LONGER_EDITABLE = conflict(
    "issue_no_longer_editable",
    N_("Once deliberation begins an issue is no longer changed; comment instead."),
)
TOO_MANY_PHOTOS = invalid("too_many_photos", N_("At most %(limit)d photos."), field="photo")
PHOTO_TOO_LARGE = invalid("photo_too_large", N_("The photo file is too large."), field="photo")
PHOTO_TOO_MANY_PIXELS = invalid(
    "photo_too_many_pixels", N_("The photo has too many pixels."), field="photo"
)
PHOTO_FORMAT_UNSUPPORTED = invalid(
    "photo_format_unsupported", N_("Only JPEG, PNG and WebP photos are accepted."), field="photo"
)
PHOTO_NOT_AN_IMAGE = invalid("photo_not_an_image", N_("The file is not an image."), field="photo")
PHOTO_DAMAGED = invalid("photo_damaged", N_("The file is damaged or incomplete."), field="photo")

# The scope -------------------------------------------------------------------------------------

COMMUNITY_SCOPE_LISTS_PLACES = invalid(
    "community_scope_lists_places",
    N_("A community-wide issue lists no buildings, stairwells or units."),
    field="scope",
)
SCOPE_EMPTY = invalid(
    "scope_empty",
    N_("Choose at least one building, stairwell or unit the issue concerns."),
    field="scope",
)
SCOPE_TOO_LARGE = invalid(
    "scope_too_large",
    N_("At most %(limit)d buildings, stairwells or units in one scope."),
    field="scope",
)
SCOPE_OUTSIDE_COMMUNITY = invalid(
    "scope_outside_community", N_("Choose places of this community only."), field="scope"
)

# Settings --------------------------------------------------------------------------------------

CATEGORIES_INVALID = invalid(
    "categories_invalid", N_("List at least one category, each once."), field="categories"
)
SHARE_OVER_WHOLE = invalid(
    "share_over_whole",
    N_("A share of households is at most 100 per cent."),
    field="support_threshold",
)

# The lifecycle: the pure machine's own codes (hall.issues.lifecycle.Refusal), unchanged --------

TRANSITION_NOT_MADE_HERE = invalid(
    "transition_not_made_here",
    N_("This step is taken elsewhere in Hall, not here."),
    field="transition",
)
NO_SUCH_MERGE_TARGET = invalid(
    "no_such_merge_target", N_("No such issue here."), field="merge_into"
)
TRANSITION_REFUSALS = {
    Refusal.UNKNOWN: invalid(
        Refusal.UNKNOWN.value, N_("There is no such step for an issue."), field="transition"
    ),
    Refusal.WRONG_STATE: conflict(
        Refusal.WRONG_STATE.value,
        N_("The issue cannot be moved this way from where it is now."),
        field="transition",
    ),
    Refusal.NOT_YOURS: forbidden(
        Refusal.NOT_YOURS.value, N_("This step on the issue is not yours to take.")
    ),
    Refusal.REASON_REQUIRED: invalid(
        Refusal.REASON_REQUIRED.value, N_("Give a reason."), field="reason"
    ),
    Refusal.THRESHOLD_NOT_MET: invalid(
        Refusal.THRESHOLD_NOT_MET.value,
        N_("The issue has not yet gathered enough supports."),
        field="transition",
    ),
    Refusal.NO_MERGE_TARGET: invalid(
        Refusal.NO_MERGE_TARGET.value, N_("Name the issue to merge into."), field="merge_into"
    ),
    Refusal.MERGE_TARGET_INVALID: invalid(
        Refusal.MERGE_TARGET_INVALID.value,
        N_("An issue merges into another open issue."),
        field="merge_into",
    ),
}
REASON_REQUIRED = TRANSITION_REFUSALS[Refusal.REASON_REQUIRED]

# Supports --------------------------------------------------------------------------------------

SUPPORTS_CLOSED = conflict(
    "supports_closed",
    N_("Supports are given and taken back only while the issue is collecting them."),
)
ALREADY_SUPPORTED = conflict("already_supported", N_("You already support this issue."))
NOT_SUPPORTED = conflict("not_supported", N_("You do not support this issue."))

# Comments --------------------------------------------------------------------------------------

COMMENT_EMPTY = invalid("comment_empty", N_("Write something first."), field="body")
COMMENT_TOO_LONG = invalid("comment_too_long", N_("At most %(limit)d characters."), field="body")
REASON_TOO_LONG = invalid("reason_too_long", N_("At most %(limit)d characters."), field="reason")
THREAD_CLOSED = conflict("thread_closed", N_("The discussion of this issue is closed."))
NO_SUCH_PARENT = invalid("no_such_parent_comment", N_("No such comment here."), field="parent_id")
PARENT_NOT_SHOWN = conflict(
    "parent_comment_not_shown",
    N_("This comment is not shown; reply to another."),
    field="parent_id",
)
REPLY_TOO_DEEP = invalid(
    "reply_too_deep",
    N_("Replies go at most %(limit)d levels deep; reply higher up."),
    field="parent_id",
)
STANCE_ON_REPLY = invalid(
    "stance_on_reply", N_("Only a top-level comment takes a stance."), field="stance"
)
COMMENT_NOT_EDITABLE = conflict(
    "comment_not_editable", N_("A comment that is not shown cannot be edited.")
)
COMMENT_ALREADY_DELETED = conflict(
    "comment_already_deleted", N_("This comment is already deleted.")
)
HISTORY_NOT_SHOWN = forbidden("comment_history_not_shown", N_("This comment is not shown."))

# Reports and moderation ------------------------------------------------------------------------

OWN_COMMENT_REPORTED = conflict("own_comment_reported", N_("You cannot report your own comment."))
REPORTED_COMMENT_NOT_SHOWN = conflict("comment_not_shown", N_("This comment is not shown."))
ALREADY_REPORTED = conflict("already_reported", N_("You have already reported this comment."))
UNKNOWN_MODERATION = invalid(
    "unknown_moderation_action", N_("Hide the comment or restore it."), field="action"
)
COMMENT_ALREADY_HIDDEN = conflict("comment_already_hidden", N_("This comment is already hidden."))
COMMENT_NOT_HIDDEN = conflict(
    "comment_not_hidden", N_("This comment is shown and nobody reported it: nothing to restore.")
)
