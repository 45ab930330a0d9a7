from django.apps import AppConfig


class VendorsConfig(AppConfig):
    name = "vendors"
    verbose_name = "Vendors"

    def ready(self):
        from . import contributions, timeline_events  # noqa: F401

        contributions.register()
