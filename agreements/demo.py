"""The demo's partnership agreements (issue 9, item 10), made through the services.

``seed_agreements()`` is called by ``manage.py seed_demo`` after the offices and people exist.
Every agreement is drafted, approved by rule 5's parties on the content hash they read, and
audited exactly as in the app; only the dates of the history (approvals in 2008–2024) are set
afterwards, because the services decide "now". Each part is skipped when it is already there,
so running the command again changes nothing.

What the demo shows (the compliance panel's findings in brackets):

* **Trondheim** — one agreement for the four offices, "Samarbeidsavtale mellom Trondheim kommune
  og Arbeids- og velferdsetaten i Sør-Trøndelag": signed November 2008 for 21.11.2008–21.11.2010,
  extended to May 2011, revised from May 2011 and in force today with the legal minimum and
  gjeldsrådgivning; an operating agreement (50/50), a year of meetings and two cooperation
  agreements (all in order);
* **Indre Salten** — a host-municipality agreement (host Fauske) with a cost key across the state
  and the five municipalities (cooperation evaluation overdue, one samarbeidsmøte of two);
* **Narvik** — an agreement without midlertidig botilbud (legal minimum missing; revision within
  90 days; no operating agreement; no meetings);
* **Bodø** — an old agreement past its revision date, two topics unwritten, and a cost key
  imported with a wrong share (revision overdue; topics missing; key sums to 95 %);
* **Malvik, Stjørdal, Tromsø** — no agreement (no agreement in force).
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from agreements.content import content_hash
from agreements.models import (
    AgreementApproval,
    AgreementVersion,
    CooperationAgreement,
    CostShare,
    MeetingKind,
    MunicipalService,
    PartnershipAgreement,
    RequiredTopic,
    VersionKind,
)
from agreements.services import (
    agreement_draft,
    agreement_version_approve,
    agreement_version_new,
    agreement_version_update,
    meeting_record,
    operating_agreement_save,
)
from navpartner.sidedata_services import side_data_create
from offices.models import Municipality, Office
from users.models import EmployerSide, User

TRONDHEIM_TITLE = (
    "Samarbeidsavtale mellom Trondheim kommune og Arbeids- og velferdsetaten i Sør-Trøndelag"
)
TRONDHEIM_OFFICES = ["heimdal", "lerkendal", "midtbyen", "ostbyen"]
INDRE_SALTEN_TITLE = "Partnerskapsavtale for NAV Indre Salten (vertskommune Fauske)"
NARVIK_TITLE = "Partnerskapsavtale mellom Narvik kommune og NAV Nordland"
BODO_TITLE = "Partnerskapsavtale mellom Bodø kommune og NAV Nordland om NAV Bodø"
TITLES = [TRONDHEIM_TITLE, INDRE_SALTEN_TITLE, NARVIK_TITLE, BODO_TITLE]

# Trondheim's history (001 ch. 3, footnote 5): signed November 2008, valid 21.11.08–21.11.10,
# extended to May 2011, a new agreement from May 2011.
TRONDHEIM_SIGNED = datetime.date(2008, 11, 20)
TRONDHEIM_START = datetime.date(2008, 11, 21)
TRONDHEIM_FIRST_END = datetime.date(2010, 11, 21)
TRONDHEIM_EXTENDED = datetime.date(2010, 11, 15)
TRONDHEIM_EXTENDED_TO = datetime.date(2011, 5, 15)
TRONDHEIM_REVISED = datetime.date(2011, 5, 13)
TRONDHEIM_REVISED_FROM = datetime.date(2011, 5, 16)

MINIMUM = [
    "okonomisk-sosialhjelp",
    "kvalifiseringsprogrammet",
    "opplysning-rad-veiledning",
    "midlertidig-botilbud",
    "individuell-plan",
]

TRONDHEIM_2008 = {
    RequiredTopic.LOCATION: (
        "NAV-kontorene i Trondheim ligger i fire bydeler: NAV Heimdal, NAV Lerkendal, NAV "
        "Midtbyen og NAV Østbyen. Kontorene er samlokalisert med helse- og velferdskontorene i "
        "offentlige servicekontor (OSK), med felles publikumsmottak."
    ),
    RequiredTopic.GOVERNANCE: (
        "Hvert NAV-kontor har enhetlig administrativ og faglig ledelse. NAV-lederen er underlagt "
        "ansvars- og styringslinjene til både kommunen og Arbeids- og velferdsetaten og skal "
        "forholde seg til begge eiere. Rådmannen og fylkesdirektøren holder samarbeidsmøter etter "
        "behov, men minimum to ganger per år."
    ),
    RequiredTopic.HIRING: (
        "NAV-lederne ansettes av fylkesdirektøren etter innstilling fra et felles "
        "ansettelsesutvalg der rådmannen er representert. Partene betaler halvparten hver av "
        "lederlønnen. Øvrige medarbeidere ansettes av den parten de skal være ansatt hos."
    ),
    RequiredTopic.PRIVACY: (
        "Hver part er behandlingsansvarlig for sine fagsystemer. Tilgang til den andre partens "
        "systemer gis bare etter skriftlig delegasjonsvedtak. Kontorene har en felles "
        "beredskapsplan som gjennomgås hvert år."
    ),
    RequiredTopic.CODETERMINATION: (
        "Medbestemmelse skjer etter hver parts avtaleverk. Ved hvert kontor er det et "
        "partssammensatt utvalg med tillitsvalgte fra begge arbeidsgivere."
    ),
    RequiredTopic.GOALS: (
        "Kontorene styres etter felles mål i et årlig prioriteringsdokument fra rådmannen og "
        "fylkesdirektøren. Hvert kontor lager en årlig virksomhetsplan på grunnlag av det."
    ),
    RequiredTopic.COMPETENCE: (
        "Partene lager en felles plan for kompetanseutvikling. Ansatte som arbeider på tvers av "
        "ansvarsområdene, får opplæring i den andre partens regelverk."
    ),
    RequiredTopic.DELEGATION: (
        "NAV-lederen har fullmakt til å fatte vedtak etter sosialtjenesteloven for kommunen og "
        "etter folketrygdloven for etaten, etter partenes delegasjonsreglement. Ansatte kan "
        "arbeide på hverandres ansvarsområder innenfor disse fullmaktene."
    ),
    RequiredTopic.OPERATING: (
        "Husleie og felles driftsutgifter deles likt mellom staten og kommunen etter en egen "
        "driftsavtale, som avregnes hvert år."
    ),
    RequiredTopic.SERVICES: (
        "Kommunen legger minimumsløsningen til NAV-kontorene: økonomisk sosialhjelp, "
        "kvalifiseringsprogrammet, opplysning, råd og veiledning, midlertidig botilbud og "
        "individuell plan. I tillegg legger kommunen gjeldsrådgivning til kontorene."
    ),
    RequiredTopic.USER_PARTICIPATION: (
        "Hvert kontor har et brukerråd som møtes om lag fire ganger i året. Brukerrådene møter "
        "kommunaldirektøren én gang i året, om høsten."
    ),
    RequiredTopic.INTERACTION: (
        "Kontorene samarbeider med helse- og velferdskontorene, barne- og familietjenesten og "
        "spesialisthelsetjenesten, etter egne samarbeidsavtaler."
    ),
    RequiredTopic.DISPUTES: (
        "Uenighet søkes løst i samarbeidsmøtet mellom rådmannen og fylkesdirektøren. Blir "
        "partene ikke enige, legges saken fram for KS og Arbeids- og velferdsdirektoratet."
    ),
    RequiredTopic.REVISION: (
        "Avtalen gjelder fra 21.11.2008 til 21.11.2010. Hver part kan kreve reforhandling ved "
        "vesentlige endringer."
    ),
}

# What the revision from May 2011 changed (the page shows the difference).
TRONDHEIM_2011 = {
    **TRONDHEIM_2008,
    RequiredTopic.PRIVACY: (
        "Hver part er behandlingsansvarlig for sine fagsystemer. Tilgang til den andre partens "
        "systemer gis bare etter skriftlig og tidsavgrenset delegasjonsvedtak, og partene fører "
        "internkontroll med hvem som har tilgang. Kontorene har en felles beredskapsplan som "
        "gjennomgås hvert år."
    ),
    RequiredTopic.GOALS: (
        "Kontorene styres etter felles mål i et årlig prioriteringsdokument fra rådmannen og "
        "fylkesdirektøren. Hvert kontor lager en årlig virksomhetsplan på grunnlag av det. "
        "Måloppnåelsen følges opp hver måned i et felles målekort som legges fram for rådmannen "
        "og fylkesdirektøren."
    ),
    RequiredTopic.REVISION: (
        "Avtalen gjelder fra 16.05.2011 til den erstattes. Den gjennomgås i samarbeidsmøtet hvert "
        "år og revideres senest på revisjonsdatoen. Hver part kan kreve reforhandling ved "
        "vesentlige endringer."
    ),
}

INDRE_SALTEN = {
    RequiredTopic.LOCATION: (
        "NAV Indre Salten har hovedkontor i Fauske sentrum og faste kontordager i Rognan, "
        "Straumen, Moldjord og Oppeid."
    ),
    RequiredTopic.GOVERNANCE: (
        "Fauske er vertskommune etter kommuneloven § 20-2 for Fauske, Saltdal, Sørfold, Beiarn "
        "og Hamarøy. Rådmannen i Fauske og fylkesdirektøren holder samarbeidsmøter minst to "
        "ganger i året; de andre kommunene deltar i et eget samarbeidsråd."
    ),
    RequiredTopic.HIRING: (
        "NAV-lederen ansettes av fylkesdirektøren etter drøfting med rådmannen i vertskommunen. "
        "Kommunalt ansatte ansettes i Fauske kommune."
    ),
    RequiredTopic.PRIVACY: (
        "Vertskommunen er behandlingsansvarlig for de kommunale tjenestene på vegne av alle fem "
        "kommuner. Tilgang på tvers av linjene gis bare etter delegasjonsvedtak."
    ),
    RequiredTopic.CODETERMINATION: (
        "Medbestemmelse skjer i et felles partssammensatt utvalg ved kontoret."
    ),
    RequiredTopic.GOALS: (
        "Kontoret har felles mål for hele Indre Salten, og målekortet viser resultatene for hver "
        "kommune."
    ),
    RequiredTopic.COMPETENCE: (
        "Kompetanseplanen lages av NAV-lederen og godkjennes i samarbeidsmøtet."
    ),
    RequiredTopic.DELEGATION: (
        "Kommunene har delegert myndigheten etter sosialtjenesteloven til vertskommunen, som "
        "har delegert den videre til NAV-lederen."
    ),
    RequiredTopic.OPERATING: (
        "Kostnadene fordeles mellom staten og de fem kommunene etter innbyggertall, i en egen "
        "driftsavtale."
    ),
    RequiredTopic.SERVICES: (
        "Minimumsløsningen, og i tillegg oppfølging innen rus og psykisk helse."
    ),
    RequiredTopic.USER_PARTICIPATION: (
        "Brukerrådet har en representant fra hver kommune og møtes fire ganger i året."
    ),
    RequiredTopic.INTERACTION: (
        "Kontoret samarbeider med Nordlandssykehuset og med helse- og omsorgstjenestene i hver "
        "kommune."
    ),
    RequiredTopic.DISPUTES: (
        "Uenighet løses i samarbeidsmøtet; ellers legges saken fram for KS og direktoratet."
    ),
    RequiredTopic.REVISION: (
        "Avtalen gjennomgås hvert år og revideres når en kommune går inn i eller ut av samarbeidet."
    ),
}

NARVIK = {
    **INDRE_SALTEN,
    RequiredTopic.LOCATION: "NAV Narvik ligger i Narvik sentrum, med kontordag i Ballangen.",
    RequiredTopic.GOVERNANCE: (
        "Kommunedirektøren i Narvik og fylkesdirektøren holder samarbeidsmøter to ganger i året."
    ),
    RequiredTopic.HIRING: "NAV-lederen ansettes av partene i fellesskap.",
    RequiredTopic.PRIVACY: (
        "Hver part er behandlingsansvarlig for sine systemer. Tilgang på tvers gis bare etter "
        "delegasjonsvedtak."
    ),
    RequiredTopic.DELEGATION: (
        "Kommunen har delegert myndigheten etter sosialtjenesteloven til NAV-lederen."
    ),
    RequiredTopic.OPERATING: "Driftsavtalen skal forhandles fram i avtaleperioden.",
    RequiredTopic.SERVICES: (
        "Økonomisk sosialhjelp, kvalifiseringsprogrammet, opplysning, råd og veiledning og "
        "individuell plan, og i tillegg introduksjonsprogrammet. Midlertidig botilbud gis av "
        "kommunens boligkontor."
    ),
    RequiredTopic.INTERACTION: (
        "Kontoret samarbeider med Universitetssykehuset Nord-Norge, Narvik, og med "
        "flyktningtjenesten."
    ),
    RequiredTopic.REVISION: "Avtalen revideres innen revisjonsdatoen.",
}

# An agreement made before the current template: no text on privacy and co-determination.
BODO = {
    topic: text
    for topic, text in {
        **NARVIK,
        RequiredTopic.LOCATION: "NAV Bodø ligger i Bodø sentrum.",
        RequiredTopic.GOVERNANCE: (
            "Rådmannen i Bodø og fylkesdirektøren holder samarbeidsmøter to ganger i året."
        ),
        RequiredTopic.OPERATING: "Kostnadene deles likt etter en egen driftsavtale.",
        RequiredTopic.SERVICES: "Minimumsløsningen, gjeldsrådgivning og boligsosialt arbeid.",
        RequiredTopic.INTERACTION: "Kontoret samarbeider med Nordlandssykehuset Bodø.",
        RequiredTopic.REVISION: "Avtalen revideres hvert fjerde år.",
    }.items()
    if topic not in (RequiredTopic.PRIVACY, RequiredTopic.CODETERMINATION)
}


def _at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _services(catalogue: dict, codes: list[str], start: datetime.date) -> list:
    return [(catalogue[code], start) for code in codes]


def _approve(version: AgreementVersion, parties: list[User], *, on: datetime.date) -> None:
    """Every party approves the content it reads (its hash), through the service; then the
    history's date is set: the service records "now", and the demo's decisions were made years
    ago. The versions this one superseded are dated to the same day."""
    for user in parties:
        agreement_version_approve(user=user, version=version, seen_hash=content_hash(version))
    # Historical dates only: who approved which content (the hashes) is the service's record.
    for hour, approval in enumerate(AgreementApproval.objects.filter(version=version), start=10):
        AgreementApproval.objects.filter(pk=approval.pk).update(decided_at=_at(on, hour))
    AgreementVersion.objects.filter(pk=version.pk).update(
        approved_at=_at(on, 13), created_at=_at(on, 9), updated_at=_at(on, 9)
    )
    AgreementVersion.objects.filter(
        agreement=version.agreement, ended_at__isnull=False, number__lt=version.number
    ).filter(ended_at__gt=_at(on, 13)).update(ended_at=_at(on, 13))


def _municipalities(numbers: list[str], today: datetime.date) -> dict[str, Municipality]:
    """The municipalities of today by number (they are dated: numbers come back after merges)."""
    rows = Municipality.objects.valid_on(today).filter(number__in=numbers)
    return {municipality.number: municipality for municipality in rows}


def _cooperation(*, user, office, **fields) -> None:
    if CooperationAgreement.objects.filter(office=office, partner=fields["partner"]).exists():
        return
    side_data_create(user=user, instance=CooperationAgreement(office=office, **fields))


def seed_agreements(*, today: datetime.date | None = None) -> None:
    """The demo's agreements, meetings and cooperation agreements; nothing that is there."""
    today = today or timezone.localdate()
    people = {
        user.username: user
        for user in User.objects.filter(
            username__in=[
                "radmann.trondheim",
                "fylkesdirektor.trondelag",
                "leder.heimdal",
                "radmann.fauske",
                "fylkesdirektor.nordland",
                "leder.indre-salten",
                "radmann.narvik",
                "radmann.bodo",
            ]
        )
    }
    offices = {office.code: office for office in Office.objects.all()}
    catalogue = {service.code: service for service in MunicipalService.objects.all()}
    done = set(
        PartnershipAgreement.objects.filter(title__in=TITLES).values_list("title", flat=True)
    )
    if TRONDHEIM_TITLE not in done:
        _trondheim(people, offices, catalogue, today)
    if INDRE_SALTEN_TITLE not in done:
        _indre_salten(people, offices, catalogue, today)
    if NARVIK_TITLE not in done:
        _narvik(people, offices, catalogue, today)
    if BODO_TITLE not in done:
        _bodo(people, offices, catalogue, today)


def _trondheim(people, offices, catalogue, today) -> None:
    radmann, director = people["radmann.trondheim"], people["fylkesdirektor.trondelag"]
    parties = [radmann, director]
    trondheim = [offices[code] for code in TRONDHEIM_OFFICES]
    services = _services(catalogue, [*MINIMUM, "gjeldsradgivning"], TRONDHEIM_START)
    # 1. The agreement of November 2008.
    first = agreement_draft(
        user=radmann,
        title=TRONDHEIM_TITLE,
        offices=trondheim,
        valid_from=TRONDHEIM_START,
        valid_to=TRONDHEIM_FIRST_END,
        revision_due=datetime.date(2010, 9, 1),
        signatories="Rådmann, Trondheim kommune\nFylkesdirektør, NAV Sør-Trøndelag",
        sections=TRONDHEIM_2008,
        services=services,
    )
    _approve(first, parties, on=TRONDHEIM_SIGNED)
    agreement = first.agreement
    # 2. Extended to May 2011: the same content, a later end.
    extension = agreement_version_new(
        user=director,
        agreement=agreement,
        kind=VersionKind.EXTENSION,
        valid_to=TRONDHEIM_EXTENDED_TO,
    )
    _approve(extension, parties, on=TRONDHEIM_EXTENDED)
    # 3. The agreement from May 2011, in force today.
    revision = agreement_version_new(user=radmann, agreement=agreement, kind=VersionKind.REVISION)
    revision = agreement_version_update(
        user=radmann,
        version=revision,
        expected_version=revision.version,
        changes={
            "valid_from": TRONDHEIM_REVISED_FROM,
            "valid_to": None,
            "revision_due": datetime.date(today.year + 1, 5, 16),
            "signatories": "Rådmann, Trondheim kommune\nFylkesdirektør, NAV Sør-Trøndelag",
        },
        sections=TRONDHEIM_2011,
        services=services,
    )
    _approve(revision, parties, on=TRONDHEIM_REVISED)
    PartnershipAgreement.objects.filter(pk=agreement.pk).update(created_at=_at(TRONDHEIM_SIGNED))

    operating_agreement_save(
        user=director,
        agreement=agreement,
        shares=[
            (EmployerSide.STATE, None, Decimal("50")),
            (EmployerSide.MUNICIPAL, _municipalities(["5001"], today)["5001"], Decimal("50")),
        ],
        rent_nok_per_year=Decimal("14600000"),
        annual_settlement=(
            "Felles driftsutgifter avregnes innen 1. mars året etter, etter fordelingsnøkkelen."
        ),
        revision_due=datetime.date(today.year + 1, 12, 31),
    )

    # A year of meetings (the last twelve months, so that the panel counts them).
    sections = {section.topic: section for section in revision.sections.all()}
    cooperation = (
        "Rådmann, Trondheim kommune; fylkesdirektør, NAV Trøndelag; kommunaldirektør for helse "
        "og velferd; rådgivere fra rådmannens fagstab og fra NAV Trøndelag"
    )
    meeting_record(
        user=radmann,
        kind=MeetingKind.COOPERATION,
        offices=trondheim,
        held_on=today - datetime.timedelta(days=300),
        title="Samarbeidsmøte rådmann og fylkesdirektør, vår",
        participants=cooperation,
        agenda="1. Felles prioriteringer for året\n2. Målekortet for første kvartal\n3. Eventuelt",
        minutes=(
            "Partene gikk gjennom resultatene i målekortet. Andelen som går fra "
            "kvalifiseringsprogrammet til arbeid eller utdanning er lavere ved Heimdal og "
            "Lerkendal enn ved Midtbyen."
        ),
        decisions=[
            {
                "text": "Stabene lager forslag til felles prioriteringsdokument for neste år.",
                "section": sections[RequiredTopic.GOALS],
                "responsible": "Stabene i kommunen og NAV Trøndelag",
                "due": today - datetime.timedelta(days=200),
            },
        ],
    )
    meeting_record(
        user=director,
        kind=MeetingKind.PARTNERSHIP,
        offices=trondheim,
        held_on=today - datetime.timedelta(days=180),
        title="Partnerskapsmøte",
        participants=(
            "Kommunaldirektør for helse og velferd; fylkesdirektør; NAV-lederne ved Heimdal, "
            "Lerkendal, Midtbyen og Østbyen; stabsmedarbeidere"
        ),
        agenda="1. Tilgang til fagsystemer på tvers av linjene\n2. Kompetanseplanen",
        minutes=(
            "Revisjonen fra 2011 pekte på tilgang for statlig ansatte til det kommunale "
            "fagsystemet. Delegasjonene gjennomgås ved hvert kontor."
        ),
        decisions=[
            {
                "text": "Alle delegasjonsvedtak gjennomgås, og tilgangene uten vedtak fjernes.",
                "section": sections[RequiredTopic.PRIVACY],
                "responsible": "NAV-lederne",
                "due": today - datetime.timedelta(days=120),
            },
        ],
    )
    meeting_record(
        user=director,
        kind=MeetingKind.DIALOGUE,
        offices=trondheim,
        held_on=today - datetime.timedelta(days=130),
        title="Dialogmøte, andre kvartal",
        participants="Stabene i fylket og kommunen; NAV-lederne og teamkoordinatorene",
        agenda="1. Målekortet for andre kvartal\n2. Gode erfaringer fra Midtbyen",
        minutes="Kontorene deler hvordan de følger opp deltakerne i kvalifiseringsprogrammet.",
        decisions=[
            {
                "text": "Midtbyen presenterer sin oppfølgingsmodell på neste dialogmøte.",
                "section": sections[RequiredTopic.GOALS],
                "responsible": "NAV-leder, Midtbyen",
            },
        ],
    )
    meeting_record(
        user=radmann,
        kind=MeetingKind.COOPERATION,
        offices=trondheim,
        held_on=today - datetime.timedelta(days=75),
        title="Samarbeidsmøte rådmann og fylkesdirektør, høst",
        participants=cooperation,
        agenda="1. Prioriteringsdokumentet for neste år\n2. Revisjon av partnerskapsavtalen",
        minutes="Prioriteringsdokumentet ble vedtatt. Revisjonen av avtalen startes i vår.",
        decisions=[
            {
                "text": "Prioriteringsdokumentet for neste år er vedtatt.",
                "section": sections[RequiredTopic.GOALS],
                "responsible": "Rådmannen og fylkesdirektøren",
            },
            {
                "text": "Arbeidet med revisjon av avtalen starter i god tid før revisjonsdatoen.",
                "section": sections[RequiredTopic.REVISION],
                "responsible": "Rådmannens fagstab",
            },
        ],
    )
    meeting_record(
        user=people["leder.heimdal"],
        kind=MeetingKind.USER_COUNCIL,
        offices=[offices["heimdal"]],
        held_on=today - datetime.timedelta(days=40),
        title="Brukerrådet ved NAV Heimdal",
        participants="Brukerrådets medlemmer fra fem brukerorganisasjoner; NAV-leder, Heimdal",
        agenda="1. Ventetid i mottaket\n2. Informasjon om gjeldsrådgivning",
        minutes="Brukerrådet ønsker bedre informasjon om gjeldsrådgivning på nettsidene.",
        decisions=[
            {
                "text": "Informasjonen om gjeldsrådgivning på nettsidene skrives om.",
                "section": sections[RequiredTopic.USER_PARTICIPATION],
                "responsible": "NAV-leder, Heimdal",
                "due": today + datetime.timedelta(days=60),
            },
        ],
    )
    _cooperation(
        user=director,
        office=offices["midtbyen"],
        partner="St. Olavs hospital HF",
        partner_responsibility=(
            "Utredning og behandling innen psykisk helsevern og rus, og melding til NAV-kontoret "
            "før utskrivning av pasienter som trenger bolig eller økonomisk hjelp."
        ),
        office_responsibility=(
            "Økonomisk sosialhjelp, midlertidig botilbud og oppfølging mot arbeid fra "
            "utskrivningsdagen."
        ),
        how_carried_out="Faste kontaktpersoner på begge sider og samarbeidsmøter hver måned.",
        unclear_responsibility="Løses av NAV-lederen og avdelingslederen; ellers i dialogmøtet.",
        evaluation_interval_months=12,
        next_evaluation=today + datetime.timedelta(days=150),
        valid_from=datetime.date(2019, 9, 1),
    )
    _cooperation(
        user=people["leder.heimdal"],
        office=offices["heimdal"],
        partner="Trøndelag fylkeskommune, oppfølgingstjenesten",
        partner_responsibility="Oppfølging av ungdom som har avbrutt videregående opplæring.",
        office_responsibility="Arbeidsrettet oppfølging av ungdom over 18 år uten skoleplass.",
        how_carried_out="Felles møter om hver ungdom, med samtykke.",
        unclear_responsibility="Avklares mellom NAV-lederen og oppfølgingstjenestens leder.",
        evaluation_interval_months=12,
        next_evaluation=today + datetime.timedelta(days=220),
        valid_from=datetime.date(2022, 8, 15),
    )


def _indre_salten(people, offices, catalogue, today) -> None:
    radmann, director = people["radmann.fauske"], people["fylkesdirektor.nordland"]
    office = offices["indre-salten"]
    start = datetime.date(2024, 1, 1)
    version = agreement_draft(
        user=director,
        title=INDRE_SALTEN_TITLE,
        offices=[office],
        valid_from=start,
        revision_due=datetime.date(today.year + 1, 12, 31),
        signatories="Rådmann, Fauske kommune (vertskommune)\nFylkesdirektør, NAV Nordland",
        sections=INDRE_SALTEN,
        services=_services(catalogue, [*MINIMUM, "rus-og-psykiatri"], start),
    )
    _approve(version, [radmann, director], on=datetime.date(2023, 12, 14))
    # The cost key across the state and the five municipalities, by population.
    shares = {"1841": "18", "1840": "12", "1845": "7", "1839": "4", "1875": "9"}
    municipalities = _municipalities(list(shares), today)
    operating_agreement_save(
        user=director,
        agreement=version.agreement,
        shares=[
            (EmployerSide.STATE, None, Decimal("50")),
            *[
                (EmployerSide.MUNICIPAL, municipalities[number], Decimal(percent))
                for number, percent in shares.items()
            ],
        ],
        rent_nok_per_year=Decimal("2350000"),
        annual_settlement="Fauske kommune fakturerer de andre kommunene hvert kvartal.",
        revision_due=datetime.date(today.year + 1, 12, 31),
    )
    # One samarbeidsmøte in the last year where two are agreed.
    meeting_record(
        user=radmann,
        kind=MeetingKind.COOPERATION,
        offices=[office],
        held_on=today - datetime.timedelta(days=210),
        title="Samarbeidsmøte Fauske kommune og NAV Nordland",
        participants="Rådmann, Fauske kommune; fylkesdirektør, NAV Nordland; NAV-leder",
        agenda="1. Første år som vertskommunekontor\n2. Kostnadsnøkkelen",
        minutes="Partene er fornøyd med første år. Kostnadsnøkkelen beholdes.",
    )
    meeting_record(
        user=people["leder.indre-salten"],
        kind=MeetingKind.PARTNERSHIP,
        offices=[office],
        held_on=today - datetime.timedelta(days=95),
        title="Partnerskapsmøte Indre Salten",
        participants="Rådmennene i de fem kommunene; fylkesdirektøren; NAV-lederen",
        agenda="1. Tjenestetilbudet i hver kommune",
    )
    _cooperation(
        user=people["leder.indre-salten"],
        office=office,
        partner="Nordlandssykehuset HF",
        partner_responsibility="Behandling innen rus og psykisk helse, og melding før utskrivning.",
        office_responsibility="Bolig, økonomi og arbeidsrettet oppfølging etter utskrivning.",
        how_carried_out="Kontaktpersoner på begge sider og samarbeidsmøter hvert kvartal.",
        unclear_responsibility="Løses av NAV-lederen og klinikksjefen.",
        evaluation_interval_months=12,
        next_evaluation=today - datetime.timedelta(days=45),  # overdue: a finding
        valid_from=datetime.date(2024, 3, 1),
    )


def _narvik(people, offices, catalogue, today) -> None:
    start = datetime.date(2020, 1, 1)  # the new Narvik municipality (004)
    version = agreement_draft(
        user=people["fylkesdirektor.nordland"],
        title=NARVIK_TITLE,
        offices=[offices["narvik"]],
        valid_from=start,
        revision_due=today + datetime.timedelta(days=60),  # within 90 days: a warning
        signatories="Kommunedirektør, Narvik kommune\nFylkesdirektør, NAV Nordland",
        sections=NARVIK,
        # Midlertidig botilbud is not in the agreement: the legal minimum is not met.
        services=_services(
            catalogue,
            [code for code in MINIMUM if code != "midlertidig-botilbud"]
            + ["introduksjonsprogrammet"],
            start,
        ),
    )
    _approve(
        version,
        [people["radmann.narvik"], people["fylkesdirektor.nordland"]],
        on=datetime.date(2019, 12, 10),
    )


def _bodo(people, offices, catalogue, today) -> None:
    director = people["fylkesdirektor.nordland"]
    start = datetime.date(2016, 1, 1)
    version = agreement_draft(
        user=director,
        title=BODO_TITLE,
        offices=[offices["bodo"]],
        valid_from=start,
        revision_due=datetime.date(today.year - 1, 12, 31),  # passed: an error
        signatories="Rådmann, Bodø kommune\nFylkesdirektør, NAV Nordland",
        sections=BODO,
        services=_services(catalogue, [*MINIMUM, "gjeldsradgivning", "boligsosialt-arbeid"], start),
    )
    _approve(version, [people["radmann.bodo"], director], on=datetime.date(2015, 12, 3))
    operating = operating_agreement_save(
        user=director,
        agreement=version.agreement,
        shares=[
            (EmployerSide.STATE, None, Decimal("50")),
            (EmployerSide.MUNICIPAL, _municipalities(["1804"], today)["1804"], Decimal("50")),
        ],
        rent_nok_per_year=Decimal("4100000"),
    )
    # The cost key as it came over from the old archive, with Bodø's share mistyped: the
    # service refuses a key that does not sum to 100, but imported data may be wrong, and the
    # compliance panel is there to say so (the key sums to 95 %).
    CostShare.objects.filter(operating_agreement=operating, side=EmployerSide.MUNICIPAL).update(
        percent=Decimal("45")
    )
    for days, kind, title in [
        (320, MeetingKind.COOPERATION, "Samarbeidsmøte Bodø kommune og NAV Nordland, vår"),
        (140, MeetingKind.PARTNERSHIP, "Partnerskapsmøte NAV Bodø"),
        (60, MeetingKind.COOPERATION, "Samarbeidsmøte Bodø kommune og NAV Nordland, høst"),
    ]:
        meeting_record(
            user=director,
            kind=kind,
            offices=[offices["bodo"]],
            held_on=today - datetime.timedelta(days=days),
            title=title,
            participants="Rådmann, Bodø kommune; fylkesdirektør, NAV Nordland; NAV-leder",
        )
