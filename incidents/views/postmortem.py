"""The post-mortem on the incident page: edit, submit, publish, send back."""


from django.core.exceptions import NON_FIELD_ERRORS
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from core import web_forms
from core.exceptions import RequirementMissing

from .. import services
from ..forms import (
    PostMortemForm,
)
from ..models import Incident, PostMortem
from .common import reader
from .page import answer, bind
from .steps import POSTMORTEM_LABELS


def _postmortem_of(pk):
    incident = get_object_or_404(Incident, pk=pk)
    postmortem = PostMortem.objects.filter(incident=incident).first()
    if postmortem is None:
        raise Http404("This incident has no post-mortem yet.")
    return incident, postmortem


@require_POST
@reader
def postmortem_edit(request, pk):
    """Save the draft; "Save and submit" then submits it for review."""
    incident, postmortem = _postmortem_of(pk)
    submit = request.POST.get("then") == "submit"

    def run(data):
        services.postmortem_edit(postmortem=postmortem, by=request.user, **data)
        if submit:
            try:
                services.postmortem_transition(postmortem=postmortem, by=request.user,
                                               name="submit")
            except RequirementMissing as exc:
                # The edit is committed already: say so, and what submitting still needs.
                missing = " ".join(m for messages in exc.errors.values() for m in messages)
                raise RequirementMissing(exc.message, errors={
                    **exc.errors, NON_FIELD_ERRORS: [
                        f"Draft saved, but not submitted for review: {missing}"]}) from None

    return answer(
        request, incident, bind(request, PostMortemForm, "postmortem"), key="postmortem",
        run=run, done="post-mortem submitted for review" if submit else "post-mortem saved",
        anchor="#postmortem", labels=POSTMORTEM_LABELS,
    )


@require_POST
@reader
def postmortem_transition(request, pk, name):
    incident, postmortem = _postmortem_of(pk)
    if name not in POSTMORTEM_LABELS:
        raise Http404("No such post-mortem transition.")
    # A refusal (e.g. submit without a root cause) is shown next to the editor's fields.
    form = PostMortemForm(PostMortemForm.values_of(postmortem), auto_id="postmortem-%s",
                          people=web_forms.people(request))
    done = {"submit": "post-mortem submitted for review", "publish": "post-mortem published",
            "request_changes": "post-mortem sent back for changes"}[name]
    return answer(
        request, incident, form, key="postmortem",
        run=lambda data: services.postmortem_transition(postmortem=postmortem, by=request.user,
                                                        name=name),
        done=done, anchor="#postmortem", labels=POSTMORTEM_LABELS,
    )
