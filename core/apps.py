from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Switchboard core"

    def ready(self):
        from . import checks, roles  # noqa: F401 - importing registers the checks

        # Keep the role groups in step with the models after every migrate, so a
        # model added by a later app is granted to the roles that should have it.
        post_migrate.connect(roles.sync_after_migrate, sender=self, dispatch_uid="core-roles")
