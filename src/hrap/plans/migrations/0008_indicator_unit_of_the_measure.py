"""An indicator made from a relative target ("fall by 10%") took the change's per cent as its
unit, so PM2.5 showed "(%)". Such an indicator, never edited since (version 1), measured by
relative per-cent targets only, gets no unit: it is unknown until someone gives it
(decision 0031)."""

from django.db import migrations


def unit_of_the_measure(apps, schema_editor):
    Indicator = apps.get_model("plans", "Indicator")
    Target = apps.get_model("plans", "Target")
    for indicator in Indicator.objects.filter(unit="%", version=1):
        targets = Target.objects.filter(indicator=indicator)
        if targets.exists() and not targets.exclude(relative=True, unit="%").exists():
            Indicator.objects.filter(pk=indicator.pk).update(unit="")


class Migration(migrations.Migration):
    dependencies = [("plans", "0007_draft_fields_proposals_checkpoint")]

    operations = [migrations.RunPython(unit_of_the_measure, migrations.RunPython.noop)]
