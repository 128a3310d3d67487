"""The national catalogue of municipal services: the legal minimum and the common optional ones.

The legal minimum is what every municipality must offer in its NAV office (NAV Act § 13 and the
Social Services Act, lov om sosiale tjenester i arbeids- og velferdsforvaltningen). National
administrators keep the catalogue in the app afterwards.
"""

from django.db import migrations

SERVICES = [
    # code, name (bokmål), name (English), legal basis, minimum
    (
        "okonomisk-sosialhjelp",
        "Økonomisk sosialhjelp",
        "Financial social assistance",
        "sosialtjenesteloven § 18",
        True,
    ),
    (
        "kvalifiseringsprogrammet",
        "Kvalifiseringsprogrammet (KVP)",
        "The qualification programme",
        "sosialtjenesteloven §§ 29–39",
        True,
    ),
    (
        "opplysning-rad-veiledning",
        "Opplysning, råd og veiledning, herunder økonomisk rådgivning",
        "Information, advice and guidance, including financial counselling",
        "sosialtjenesteloven § 17",
        True,
    ),
    (
        "midlertidig-botilbud",
        "Midlertidig botilbud",
        "Temporary accommodation",
        "sosialtjenesteloven § 27",
        True,
    ),
    ("individuell-plan", "Individuell plan", "Individual plan", "sosialtjenesteloven § 28", True),
    (
        "gjeldsradgivning",
        "Gjeldsrådgivning",
        "Debt counselling",
        "sosialtjenesteloven § 17 (utvidet økonomisk rådgivning)",
        False,
    ),
    (
        "introduksjonsprogrammet",
        "Introduksjonsprogrammet",
        "The introduction programme for refugees",
        "integreringsloven kapittel 4",
        False,
    ),
    (
        "rus-og-psykiatri",
        "Rus og psykisk helse",
        "Substance abuse and mental health",
        "helse- og omsorgstjenesteloven § 3-2",
        False,
    ),
    ("barnevern", "Barnevern", "Child welfare", "barnevernsloven", False),
    (
        "boligsosialt-arbeid",
        "Boligsosialt arbeid",
        "Social housing work",
        "lov om kommunenes ansvar på det boligsosiale feltet",
        False,
    ),
    (
        "bosetting-av-flyktninger",
        "Bosetting av flyktninger",
        "Settlement of refugees",
        "integreringsloven § 10",
        False,
    ),
    ("startlan", "Startlån og bostøtte", "Start-up loans and housing allowance", "", False),
]


def load(apps, schema_editor):
    MunicipalService = apps.get_model("agreements", "MunicipalService")
    for code, name, name_en, legal_basis, minimum in SERVICES:
        MunicipalService.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "legal_basis": legal_basis,
                "is_minimum": minimum,
            },
        )


def unload(apps, schema_editor):
    apps.get_model("agreements", "MunicipalService").objects.filter(
        code__in=[row[0] for row in SERVICES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("agreements", "0001_agreements")]

    operations = [migrations.RunPython(load, unload)]
