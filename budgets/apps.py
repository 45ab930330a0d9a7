from django.apps import AppConfig


class BudgetsConfig(AppConfig):
    name = "budgets"
    verbose_name = "Budgets"

    def ready(self):
        from core.hooks import object_changed

        from . import contributions, services

        contributions.register()
        # A service credit received offsets the vendor's spend (a linked negative entry).
        object_changed.connect(services.on_object_changed, dispatch_uid="budgets.credit_offset")
