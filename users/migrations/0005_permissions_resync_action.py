"""The ``permissions_resynced`` audit action (``manage.py permissions_resync``).

``0004`` already lists it (it was generated from the same models); stating the whole list again
here keeps the action whatever becomes of 0004. Choices live in Python only: no SQL runs.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("users", "0004_sign_in_audit_actions"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("sign_in", "Signed in"),
                    ("sign_in_failed", "Failed sign-in"),
                    ("sign_in_locked_out", "Sign-in refused during lockout"),
                    ("api_tokens_revoked", "API tokens revoked"),
                    ("role_assigned", "Role assigned"),
                    ("role_ended", "Role ended"),
                    ("delegation_granted", "Delegation granted"),
                    ("delegation_revoked", "Delegation revoked"),
                    ("data_created", "Data created"),
                    ("data_changed", "Data changed"),
                    ("data_deleted", "Data deleted"),
                    ("delegated_read", "Read through a delegation"),
                    ("access_denied", "Access denied"),
                    ("permissions_resynced", "Permissions corrected by a resync"),
                ],
                max_length=30,
                verbose_name="action",
            ),
        ),
    ]
