"""``manage.py permissions_resync``: rebuild every person's office permissions now."""

from django.core.management.base import BaseCommand

from users.access.permissions import permissions_resync


class Command(BaseCommand):
    help = (
        "Rebuild every person's office permission rows from their roles and delegations, "
        "and audit what was corrected. Safe to run at any time; a second run changes nothing."
    )

    def handle(self, *args, **options) -> None:
        summary = permissions_resync()
        for username in summary.corrected:
            self.stdout.write(f"corrected: {username}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{summary.users} people checked, {len(summary.corrected)} corrected "
                f"({summary.added} rows added, {summary.removed} removed; "
                f"{summary.pruned} ended rows pruned)."
            )
        )
