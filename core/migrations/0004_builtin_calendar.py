"""The built-in 24×7 calendar: every clock that counts plain hours uses it."""

from django.db import migrations


def create(apps, schema_editor):
    from core.calendars import ensure_builtin_calendar

    ensure_builtin_calendar(
        apps.get_model("core", "BusinessCalendar"), apps.get_model("core", "WorkingHours")
    )


class Migration(migrations.Migration):
    dependencies = [("core", "0003_calendars_clocks_notifications")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
