from django.apps import AppConfig
from django.db.models.signals import post_migrate, post_save


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Switchboard core"

    def ready(self):
        from . import checks, contributions, roles, signals  # noqa: F401 - checks register on import

        contributions.register()

        # Keep the role groups in step with the models after every migrate, so a
        # model added by a later app is granted to the roles that should have it.
        post_migrate.connect(roles.sync_after_migrate, sender=self, dispatch_uid="core-roles")
        # Any model's free text may have masked a card number: log it, whoever saved.
        post_save.connect(signals.record_card_number_masking, dispatch_uid="core-card-masking")
