"""New cube grains (decision 0010): the old cells do not fit them, so the summary tables are
emptied and the next refresh rebuilds them in full (both are derived data)."""

from django.db import migrations, models


def empty_summary_tables(apps, schema_editor):
    apps.get_model("reports", "CubeCell").objects.all().delete()
    apps.get_model("reports", "ChildFact").objects.all().delete()
    apps.get_model("reports", "RefreshState").objects.update(last_run_at=None)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_indicator_summary_tables_and_issued_reports"),
    ]

    operations = [
        migrations.AlterField(
            model_name="cubecell",
            name="grain",
            field=models.CharField(
                choices=[
                    ("total", "Whole programme: sex, age band"),
                    ("programme", "Programme: territory, sponsor"),
                    ("programme_sex_age", "Programme: territory, sponsor, sex, age band"),
                    ("community", "Community"),
                    ("community_sex_age", "Community: sex, age band"),
                    ("site", "Site: site, community"),
                    ("site_sex_age", "Site: site, community, sex, age band"),
                ],
                max_length=20,
            ),
        ),
        migrations.AddIndex(
            model_name="cubecell",
            index=models.Index(fields=["grain", "area_id", "month"], name="cube_grain_area_month"),
        ),
        migrations.RunPython(empty_summary_tables, migrations.RunPython.noop),
    ]
