"""Pages whose panels post forms that call services (incidents, escalations…).

One way to answer a form that runs a use case: validate, call the service, and on
refusal show the service's own message next to the field it names — 400 for a
missing requirement, 409 for a transition not allowed now or a concurrent change,
403 for a permission (without htmx, the 403 page). With htmx the page's panel is
re-rendered in place; without JavaScript the browser is redirected back.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect

from . import registry
from .exceptions import ConcurrentChange, RequirementMissing, TransitionNotAllowed


@dataclass(frozen=True)
class Step:
    """A transition as an object page offers it: its button, its form, the service call
    ``run(obj, by, cleaned_data)``, the word for "done", a hint and a button style."""

    label: str
    form: type
    run: Callable
    done: str
    hint: str = ""
    style: str = ""


def page_reader(permission: str):
    """Decorate a page view: signed in and holding ``permission`` (writes are checked
    by the services). A session that ran out mid-page sends the whole tab to the login
    page instead of swapping the login form into an htmx panel."""

    def decorate(view):
        checked = login_required(permission_required(permission, raise_exception=True)(view))

        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.htmx and not request.user.is_authenticated:
                back = request.htmx.current_url_abs_path or request.get_full_path()
                return HttpResponseClientRedirect(redirect_to_login(back).url)
            return checked(request, *args, **kwargs)

        return wrapper

    return decorate


def people(request):
    """Everyone who can be picked in a select on this page (fetched once per request)."""
    if not hasattr(request, "_switchboard_people"):
        request._switchboard_people = list(
            get_user_model().objects.filter(is_active=True)
            .order_by("first_name", "last_name", "username")
        )
    return request._switchboard_people


def filter_bar(form, names=None):
    """The bound fields of a list's filter bar (``names``, default all), without help
    texts: a FilterSet's help texts document the API's parameters ("Repeat for several
    states", "`true`: only …"), not the page's. Cleared on the bound fields, which keep
    the help text they were made with — a validated form has made them already — and on
    the form's fields, for bound fields made later (``{% for field in form %}``)."""
    for field in form.fields.values():
        field.help_text = ""
    fields = [form[name] for name in (names or form.fields)]
    for bound in fields:
        bound.help_text = ""
    return fields


def validation_errors(exc: ValidationError) -> dict:
    if hasattr(exc, "error_dict"):
        return exc.message_dict
    return {NON_FIELD_ERRORS: exc.messages}


def not_allowed_message(exc: TransitionNotAllowed, labels: dict[str, str]) -> str:
    allowed = ", ".join(labels.get(name, name) for name in exc.allowed) or "nothing"
    return (f"{labels.get(exc.transition, exc.transition)} is not allowed now; "
            f"allowed: {allowed}.")


def safe_next(request):
    """The ``next`` a form was sent with, if it stays on this site."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return ""


class PageForms:
    """A page's forms: fresh ones, or the bound one a refused request sent back."""

    def __init__(self, people, overrides):
        self.people = people
        self.overrides = overrides
        self.used = set()

    def __call__(self, key, form_class, *, form_kwargs=None, **initial):
        """The form for ``key``: ``initial`` fills it, ``form_kwargs`` go to the form's
        constructor (e.g. which evidence a step asks for)."""
        self.used.add(key)
        if key in self.overrides:
            return self.overrides[key]
        return form_class(initial=initial, auto_id=f"{key}-%s", people=self.people,
                          **(form_kwargs or {}))

    def orphan_errors(self):
        """Errors of a refused form the page no longer shows (e.g. the transition is
        not offered any more): shown at the top of the panel instead."""
        errors = []
        for key, form in self.overrides.items():
            if key not in self.used:
                errors.extend(e for field_errors in form.errors.values() for e in field_errors)
        return errors


def render_page_or_panel(request, context, *, page_template, panel_template, status=200,
                         panel=None):
    """The whole page, or only its panel: by default the panel answers an htmx POST
    (the step swaps it in place) and the page everything else."""
    if panel is None:
        panel = bool(request.htmx) and request.method == "POST"
    return render(request, panel_template if panel else page_template, context, status=status)


def bind(request, form_class, key):
    return form_class(request.POST, auto_id=f"{key}-%s", people=people(request))


def submit(request, obj, form, *, key, run, done, labels, render=None, anchor=""):
    """Validate ``form``, call ``run(cleaned_data)`` (a service), answer.

    ``render(request, pk, overrides=None, status=200)`` draws the object's page or
    panel — by default the page its app registered (``core.registry``), so a card on
    another app's page answers with that page; ``obj`` has a ``reference`` and
    ``get_absolute_url()``.
    """
    if render is None:
        def render(request, pk, **kwargs):
            return registry.render_object_page(request, obj, **kwargs)

    status = 400
    if form.is_valid():
        try:
            run(form.cleaned_data)
        except RequirementMissing as exc:
            form.add_service_errors(exc.errors)
        except ValidationError as exc:
            form.add_service_errors(validation_errors(exc))
        except TransitionNotAllowed as exc:
            form.add_error(None, not_allowed_message(exc, labels))
            status = 409
        except ConcurrentChange as exc:
            form.add_error(None, exc.message)
            status = 409
        except PermissionDenied as exc:
            if not request.htmx:
                raise
            form.add_error(None, str(exc) or "Your role does not allow this.")
            status = 403
        else:
            messages.success(request, f"{obj.reference}: {done}.")
            if request.htmx:
                return render(request, obj.pk)
            return redirect(safe_next(request) or obj.get_absolute_url() + anchor)
    if not request.htmx and (target := safe_next(request)):
        # Sent from another page (e.g. "my action items"): go back there with the refusal.
        for error in (e for errors in form.errors.values() for e in errors):
            messages.error(request, f"{obj.reference}: {error}")
        return redirect(target)
    return render(request, obj.pk, overrides={key: form}, status=status)
