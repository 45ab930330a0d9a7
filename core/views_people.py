"""People and access on the web: managers invite, assign roles and teams, deactivate,
reactivate and unlock — no superuser, no admin page. The rules are ``core.users``'."""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from . import users
from .choices import Role
from .models import AccessChange, Team
from .web_forms import page_reader, validation_errors

User = get_user_model()
PAGE_SIZE = 50
manager_page = page_reader(users.MANAGE_PERMISSION)


class TeamChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class AccessForm(forms.Form):
    roles = forms.MultipleChoiceField(choices=Role.choices, required=False,
                                      widget=forms.CheckboxSelectMultiple)
    teams = TeamChoiceField(queryset=Team.objects.order_by("name"), required=False,
                            widget=forms.CheckboxSelectMultiple)
    reason = forms.CharField(max_length=500, required=False,
                             help_text="Why (kept in the access history).")


class InviteForm(AccessForm):
    username = forms.CharField(max_length=150, required=False)
    email = forms.EmailField(max_length=254, required=False,
                             help_text="The invitation with a link to set a password goes "
                                       "here.")
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    field_order = ["username", "email", "first_name", "last_name", "roles", "teams", "reason"]


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=500, required=False)


def _add_errors(form, exc: ValidationError):
    for field, texts in validation_errors(exc).items():
        for text in texts:
            form.add_error(field if field in form.fields else None, text)


def _status(user, locked):
    if not user.is_active:
        return "deactivated", "Deactivated"
    if user.get_username() in locked:
        return "locked", "Locked out"
    if not user.has_usable_password():
        return "invited", "Invited"
    return "active", "Active"


@manager_page
def people_list(request):
    """Everyone who can log in (and who could), with roles, teams and status.
    Four queries whatever the page size: the count, the people, their roles and
    teams (prefetched), and the lock-outs of the page."""
    query = (request.GET.get("q") or "").strip()[:100]
    status = request.GET.get("status", "")
    people = User.objects.exclude(username=users.SYSTEM_USERNAME).order_by(
        "-is_active", "username")
    if query:
        people = people.filter(Q(username__icontains=query) | Q(first_name__icontains=query)
                               | Q(last_name__icontains=query) | Q(email__icontains=query))
    if status == "active":
        people = people.filter(is_active=True)
    elif status == "deactivated":
        people = people.filter(is_active=False)
    people = people.prefetch_related("groups", Prefetch(
        "switchboard_teams", queryset=Team.objects.order_by("name")))
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    locked = users.lockout_state(user.get_username() for user in rows)
    for person in rows:
        person.role_names = users.user_roles(person)
        person.status_key, person.status_label = _status(person, locked)
    page.object_list = rows
    return render(request, "core/people_list.html", {
        "page": page, "q": query, "status": status})


def _render_person(request, person, *, access_form=None, reason_form=None, status=200):
    locked = users.lockout_state([person.get_username()])
    person.status_key, person.status_label = _status(person, locked)
    access_form = access_form or AccessForm(initial={
        "roles": users.user_roles(person),
        "teams": list(person.switchboard_teams.all())})
    return render(request, "core/person_detail.html", {
        "person": person, "access_form": access_form,
        "reason_form": reason_form or ReasonForm(),
        "locked_until": locked.get(person.get_username()),
        "is_self": person.pk == request.user.pk,
        "manageable": not person.is_superuser,
        "changes": AccessChange.objects.filter(user=person).select_related("by")[:50],
    }, status=status)


def _person(pk):
    return get_object_or_404(User.objects.exclude(username=users.SYSTEM_USERNAME), pk=pk)


@manager_page
def person_detail(request, pk):
    return _render_person(request, _person(pk))


@manager_page
def person_invite(request):
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = users.user_invite(
                by=request.user, username=data["username"], email=data["email"],
                first_name=data["first_name"], last_name=data["last_name"],
                roles=data["roles"], teams=list(data["teams"]), reason=data["reason"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"{person.get_username()} was added; the invitation "
                                      f"with a link to set a password went to {person.email}.")
            return redirect("person-detail", pk=person.pk)
    return render(request, "core/person_invite.html", {"form": form},
                  status=400 if form.errors else 200)


@require_POST
@manager_page
def person_access(request, pk):
    person = _person(pk)
    form = AccessForm(request.POST)
    if form.is_valid():
        try:
            users.user_update_access(by=request.user, user=person,
                                     roles=form.cleaned_data["roles"],
                                     teams=list(form.cleaned_data["teams"]),
                                     reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            _add_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Roles and teams saved.")
            return redirect("person-detail", pk=pk)
    return _render_person(request, _person(pk), access_form=form, status=400)


ACTIONS = {
    "deactivate": (lambda by, person, reason: users.user_deactivate(
        by=by, user=person, reason=reason), "The account was deactivated."),
    "reactivate": (lambda by, person, reason: users.user_reactivate(
        by=by, user=person, reason=reason), "The account was reactivated."),
    "unlock": (lambda by, person, reason: users.user_unlock(by=by, user=person),
               "The account was unlocked: the person can log in again now."),
    "invite": (lambda by, person, reason: users.user_resend_invitation(by=by, user=person),
               "A new invitation with a link to set a password was sent."),
}


@require_POST
@manager_page
def person_action(request, pk, name):
    if name not in ACTIONS:
        return redirect("person-detail", pk=pk)
    person = _person(pk)
    run, done = ACTIONS[name]
    form = ReasonForm(request.POST)
    form.is_valid()
    try:
        run(request.user, person, form.cleaned_data.get("reason", ""))
    except ValidationError as exc:
        _add_errors(form, exc)
    except PermissionDenied as exc:
        form.add_error(None, str(exc))
    else:
        messages.success(request, done)
        return redirect("person-detail", pk=pk)
    return _render_person(request, _person(pk), reason_form=form, status=400)
