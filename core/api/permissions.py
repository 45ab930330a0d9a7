"""API permissions.

``ModelPermissions`` is the default for every view: a user must be signed in and
hold the model permission for the method, including ``view_*`` for reads (DRF's
own DjangoModelPermissions lets any signed-in user read). Transition actions add
their own check in the service (``perform_transition`` checks the transition's
permission), so the rule lives with the model.
"""

from rest_framework import permissions


class ModelPermissions(permissions.DjangoModelPermissions):
    perms_map = {
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "POST": ["%(app_label)s.add_%(model_name)s"],
        "PUT": ["%(app_label)s.change_%(model_name)s"],
        "PATCH": ["%(app_label)s.change_%(model_name)s"],
        "DELETE": ["%(app_label)s.delete_%(model_name)s"],
    }

    def has_permission(self, request, view):
        # Views without a queryset (health, "me") declare their own permissions.
        if getattr(view, "queryset", None) is None and not hasattr(view, "get_queryset"):
            return bool(request.user and request.user.is_authenticated)
        return super().has_permission(request, view)


class ActionPermissions(ModelPermissions):
    """Model permissions, with a per-action override map declared on the viewset.

    A viewset sets ``action_permissions = {"contain": ["incidents.change_incident"]}``;
    actions not listed fall back to the HTTP-method map. One place per viewset says
    who may do what (Grafana OnCall's action → permission map).
    """

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        required = getattr(view, "action_permissions", {}).get(getattr(view, "action", None))
        if required is not None:
            return request.user.has_perms(required)
        return super().has_permission(request, view)
