"""``manage.py seed_demo``: demo offices and users, safe to run again and again."""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from navpartner import demo
from offices.models import County, Municipality, Office
from offices.services import office_municipality_add, office_upsert
from users.models import EmployerSide
from users.services import role_assignment_ensure, user_upsert


class Command(BaseCommand):
    help = "Load the demo offices and users (idempotent). Passwords come from DEMO_PASSWORD."

    @transaction.atomic
    def handle(self, *args, **options):
        password = settings.DEMO_PASSWORD
        counties = {county.number: county for county in County.objects.all()}
        municipalities = {m.number: m for m in Municipality.objects.valid_on(demo.DEMO_START)}
        for code, name, county_number, place, served in demo.OFFICES:
            office = office_upsert(
                code=code, name=name, county=counties[county_number], postal_place=place
            )
            for number, is_host in served:
                office_municipality_add(
                    office=office,
                    municipality=municipalities[number],
                    valid_from=demo.DEMO_START,
                    is_host=is_host,
                )
        offices = {office.code: office for office in Office.objects.all()}
        start = timezone.make_aware(datetime.datetime.combine(demo.DEMO_START, datetime.time()))
        for username, first, last, side, employer, roles in demo.USERS:
            user = user_upsert(
                username=username,
                first_name=first,
                last_name=last,
                employer_side=side,
                employer_county=counties.get(employer) if side == EmployerSide.STATE else None,
                employer_municipality=(
                    municipalities.get(employer) if side == EmployerSide.MUNICIPAL else None
                ),
                password=password,
            )
            for role, scope_kind, key in roles:
                scope = {
                    "office": offices.get(key),
                    "municipality": municipalities.get(key),
                    "county": counties.get(key),
                }[scope_kind]
                role_assignment_ensure(
                    user=user, role=role, valid_from=start, **{scope_kind: scope}
                )
        user_upsert(
            username="admin",
            first_name="Drift",
            last_name="Administrator",
            employer_side="",
            password=password,
            is_superuser=True,
        )
        self.stdout.write(self.style.SUCCESS(self.summary(password)))

    @staticmethod
    def summary(password: str) -> str:
        usernames = [row[0] for row in demo.USERS] + ["admin"]
        # Shown on a developer's machine; a production log never gets the password.
        shown = "(the value of DEMO_PASSWORD)" if settings.PRODUCTION else password
        return (
            f"Demo data ready: {len(demo.OFFICES)} offices, {len(usernames)} users.\n"
            f"Sign in at http://127.0.0.1:8000/ as one of: {', '.join(usernames)}\n"
            f"Password for all of them: {shown}"
        )
