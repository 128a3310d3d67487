"""Each office permission row names its action and side (copied from the codename), so the
policy can semi-join a record's (office, side) to the rows in one index lookup."""

from django.db import migrations, models


def fill_action_and_side(apps, schema_editor):
    OfficeUserObjectPermission = apps.get_model("users", "OfficeUserObjectPermission")
    for row in OfficeUserObjectPermission.objects.select_related("permission"):
        action, side, _data = row.permission.codename.split("_", 2)
        OfficeUserObjectPermission.objects.filter(pk=row.pk).update(action=action, side=side)


class Migration(migrations.Migration):
    dependencies = [
        ("users", "0002_audit_events_append_only"),
    ]

    operations = [
        migrations.AddField(
            model_name="officeuserobjectpermission",
            name="action",
            field=models.CharField(default="view", max_length=10, verbose_name="action"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="officeuserobjectpermission",
            name="side",
            field=models.CharField(
                choices=[("state", "State"), ("municipal", "Municipal"), ("joint", "Joint")],
                default="joint",
                max_length=10,
                verbose_name="side",
            ),
            preserve_default=False,
        ),
        migrations.RunPython(fill_action_and_side, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="officeuserobjectpermission",
            index=models.Index(
                fields=["user", "action", "side", "content_object"], name="office_perm_lookup"
            ),
        ),
        migrations.AddConstraint(
            model_name="officeuserobjectpermission",
            constraint=models.CheckConstraint(
                condition=models.Q(("action__in", ["view", "change"])),
                name="office_permission_action",
            ),
        ),
    ]
