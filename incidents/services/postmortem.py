"""The post-mortem: drafted, edited, reviewed, published."""
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit import save_with_audit
from core.pci import redact_card_numbers
from core.transitions import lock, perform_transition

from ..choices import (
    TimelineKind,
)
from ..clock_kinds import (
    POSTMORTEM_CLOCK,
)
from ..models import REVIEWER_NOT_AUTHOR, Incident, PostMortem, reviewer_is_not_author
from .clocks import stop_clocks
from .timeline import timeline_add
from .why_not import refuse, why_not_draft_postmortem, why_not_edit_postmortem


@transaction.atomic
def postmortem_get_or_create(*, incident: Incident, by) -> PostMortem:
    """The incident's post-mortem, drafted (with summary and impact) if there is none."""
    refuse(why_not_draft_postmortem(by, incident))
    lock(Incident, incident.pk)  # two first drafts at once: the second finds the first
    postmortem = PostMortem.objects.filter(incident=incident).first()
    if postmortem is None:
        postmortem = PostMortem(incident=incident, author=by,
                                customer_impact=incident.customer_impact,
                                summary=incident.summary)
        save_with_audit(postmortem, by=by, reason="Post-mortem drafted")
    return postmortem


POSTMORTEM_FIELDS = ["summary", "customer_impact", "root_cause", "contributing_factors",
                     "five_whys", "went_well", "went_badly", "lessons", "reviewer"]


@transaction.atomic
def postmortem_edit(*, postmortem: PostMortem, by, **fields):
    """Edit a draft post-mortem (a published one is final)."""
    refuse(why_not_edit_postmortem(by, postmortem))
    postmortem = lock(PostMortem, postmortem.pk)
    refuse(why_not_edit_postmortem(by, postmortem))
    unknown = set(fields) - set(POSTMORTEM_FIELDS)
    if unknown:
        raise ValidationError({name: "Not a post-mortem field." for name in unknown})
    for name, value in fields.items():
        setattr(postmortem, name, redact_card_numbers(value)[0] if isinstance(value, str)
                else value)
    if not reviewer_is_not_author(postmortem):
        raise ValidationError({"reviewer": REVIEWER_NOT_AUTHOR})
    save_with_audit(postmortem, by=by, reason="Post-mortem edited")
    return postmortem


@transaction.atomic
def postmortem_transition(*, postmortem: PostMortem, by, name, at=None):
    """submit (needs summary, root cause, reviewer) → publish (by the reviewer or a
    manager) or request_changes (back to draft)."""
    # Who may submit, publish or send back is declared on the model's transitions.
    postmortem = lock(PostMortem, postmortem.pk)
    at = at or timezone.now()
    kwargs = {"at": at} if name in ("submit", "publish") else {}
    labels = {"submit": "submitted for review", "publish": "published",
              "request_changes": "sent back for changes"}
    if name not in labels:
        from core.exceptions import TransitionNotAllowed
        from core.transitions import allowed_transitions

        raise TransitionNotAllowed(transition=name, current_state=postmortem.state,
                                   allowed=allowed_transitions(postmortem, by))
    if (name in ("publish", "request_changes") and by is not None
            and settings.SWITCHBOARD_POSTMORTEM_REVIEWER_NOT_AUTHOR
            and postmortem.author_id == by.pk):
        raise PermissionDenied("The author cannot sign off their own post-mortem: its "
                               "reviewer (or a manager) does.")
    perform_transition(postmortem, name, by=by, reason=f"Post-mortem {labels[name]}", **kwargs)
    timeline_add(postmortem.incident, TimelineKind.POSTMORTEM,
                 f"Post-mortem {labels[name]}.", by=by, at=at)
    if name == "publish":
        stop_clocks(postmortem.incident, [POSTMORTEM_CLOCK], by=by, at=at)
    return postmortem


def postmortem_timeline(postmortem: PostMortem):
    """The incident's timeline for the post-mortem document (notes and changes)."""
    return postmortem.incident.timeline.select_related("actor").order_by("at", "pk")
