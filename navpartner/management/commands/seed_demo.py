"""``manage.py seed_demo``: demo offices and users, safe to run again and again."""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from agreements.demo import seed_agreements
from navpartner import demo
from navpartner.sidedata import Side
from navpartner.sidedata_services import side_data_create
from offices.models import County, Municipality, Office, OfficeNote
from offices.services import office_municipality_add, office_upsert
from reviews.demo import seed_readiness
from scorecards.demo import seed_scorecards
from users.models import Delegation, DelegationLevel, EmployerSide, User
from users.services import delegation_grant, role_assignment_ensure, user_upsert

# The demo users all share one published password, and one of them is the superuser `admin`.
REFUSED_IN_PRODUCTION = gettext_noop(
    "seed_demo does not run with NAVPARTNER_ENV=production: it creates the superuser 'admin' "
    "and demo users whose password is public. Create the first administrator with "
    "'python manage.py createsuperuser' instead."
)


class Command(BaseCommand):
    help = "Load the demo offices and users (idempotent). Passwords come from DEMO_PASSWORD."

    def add_arguments(self, parser):
        parser.add_argument(
            "--serve-url",
            default="",
            help="Where the app will be served, for the summary (make run passes HOST and PORT).",
        )

    @transaction.atomic
    def handle(self, *args, **options):
        if settings.NAVPARTNER_ENV == "production":
            raise CommandError(_(REFUSED_IN_PRODUCTION))
        password = settings.DEMO_PASSWORD
        counties = {county.number: county for county in County.objects.all()}
        municipalities = {m.number: m for m in Municipality.objects.valid_on(demo.DEMO_START)}
        for code, name, county_number, place, served in demo.OFFICES:
            office = office_upsert(
                code=code, name=name, county=counties[county_number], postal_place=place
            )
            opened = demo.OPENED_ON[code]
            if office.opened_on != opened:
                office.opened_on = opened
                office.save(update_fields=["opened_on"])
            # Trondheim's offices served the city from their opening (the 2010 KVP figures);
            # the others' memberships start with the reference data.
            served_from = opened if code in demo.SERVED_SINCE_OPENING else demo.DEMO_START
            for number, is_host in served:
                office_municipality_add(
                    office=office,
                    municipality=municipalities[number],
                    valid_from=served_from,
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
                    None: None,
                }[scope_kind]
                role_assignment_ensure(
                    user=user,
                    role=role,
                    valid_from=start,
                    **({scope_kind: scope} if scope_kind else {}),
                )
        self.seed_office_staff(offices, counties, municipalities, password, start)
        self.seed_heimdal(offices, counties, municipalities, password, start)
        seed_agreements()  # issue 9: agreements, meetings, cooperation agreements
        seed_scorecards()  # issue 10: indicators, targets, 24 months, scorecards, action plans
        seed_readiness()  # issue 11: documents, confirmations, meetings for audit readiness
        user_upsert(
            username="admin",
            first_name="Drift",
            last_name="Administrator",
            employer_side="",
            password=password,
            is_superuser=True,
        )
        self.stdout.write(self.style.SUCCESS(self.summary(password, options["serve_url"])))

    def seed_office_staff(self, offices, counties, municipalities, password, start) -> None:
        """A state- and a municipal-employed member of staff at every demo office."""
        names = iter(demo.STAFF_NAMES * 2)
        taken = {row[0] for row in demo.USERS}
        for code, _name, county_number, _place, served in demo.OFFICES:
            employer = next((n for n, host in served if host), served[0][0])
            for side, prefix in ((EmployerSide.STATE, "stat"), (EmployerSide.MUNICIPAL, "kommune")):
                username = f"{prefix}.{code}"
                if username in taken:
                    continue
                first, last = next(names)
                user = user_upsert(
                    username=username,
                    first_name=first,
                    last_name=last,
                    employer_side=side,
                    employer_county=counties[county_number] if side == EmployerSide.STATE else None,
                    employer_municipality=(
                        municipalities[employer] if side == EmployerSide.MUNICIPAL else None
                    ),
                    password=password,
                )
                role_assignment_ensure(
                    user=user, role="office_staff", office=offices[code], valid_from=start
                )

    def seed_heimdal(self, offices, counties, municipalities, password, start) -> None:
        """Delegations of municipal data to state staff at Heimdal, and a note per side."""
        heimdal = offices["heimdal"]
        grantor = User.objects.get(username="radmann.trondheim")
        now = timezone.now()
        for username, first, last, days_left in demo.HEIMDAL_DELEGATIONS:
            grantee = User.objects.filter(username=username).first() or user_upsert(
                username=username,
                first_name=first,
                last_name=last,
                employer_side=EmployerSide.STATE,
                employer_county=counties["50"],
                password=password,
            )
            role_assignment_ensure(
                user=grantee, role="office_staff", office=heimdal, valid_from=start
            )
            if Delegation.objects.filter(
                grantee=grantee, office=heimdal, basis=demo.DELEGATION_BASIS
            ).exists():
                continue
            if days_left > 0:
                delegation_grant(
                    grantor=grantor,
                    grantee=grantee,
                    office=heimdal,
                    side=Side.MUNICIPAL,
                    level=DelegationLevel.VIEW,
                    basis=demo.DELEGATION_BASIS,
                    valid_to=timezone.localdate() + datetime.timedelta(days=days_left),
                )
            else:
                # History: a delegation that has run out (the service only grants from now on).
                Delegation.objects.create(
                    grantor=grantor,
                    grantee=grantee,
                    office=heimdal,
                    side=Side.MUNICIPAL,
                    level=DelegationLevel.VIEW,
                    basis=demo.DELEGATION_BASIS,
                    valid_from=now - datetime.timedelta(days=365 + days_left),
                    valid_to=now + datetime.timedelta(days=days_left),
                )
        leader = User.objects.get(username="leder.heimdal")
        for title, side, body in demo.HEIMDAL_NOTES:
            if not OfficeNote.objects.filter(office=heimdal, title=title).exists():
                side_data_create(
                    user=leader,
                    instance=OfficeNote(office=heimdal, side=side, title=title, body=body),
                )

    @staticmethod
    def summary(password: str, serve_url: str = "") -> str:
        """What was loaded, counted in the database, and how to sign in."""
        named = [row[0] for row in demo.USERS] + ["admin"]
        users = User.objects.count()
        others = User.objects.exclude(username__in=named).count()
        where = (
            f"Sign in at {serve_url}"
            if serve_url
            else "Serve it with 'make run' (http://127.0.0.1:8000/, or HOST=… PORT=…) and sign in"
        )
        return (
            f"Demo data ready: {Office.objects.count()} offices, {users} users.\n"
            f"{where} as one of: {', '.join(named)}\n"
            f"or one of the {others} others: office staff stat.<office> / kommune.<office>, "
            "stat2.heimdal … stat4.heimdal.\n"
            "direktorat.admin sets national indicators and targets; statistikk.klient is a "
            "statistics system's account that only delivers measurements through the bulk API "
            "(Trøndelag's offices).\n"
            # Only ever on a developer's machine: the command refuses to run in production.
            f"Password for all of them: {password}"
        )
