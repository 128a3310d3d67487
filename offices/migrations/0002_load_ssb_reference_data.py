"""Load the 15 counties (2024) and 357 municipalities (2026) of SSB from offices/data/.

The CSV files are part of the project and never change (a new classification is a new file and a
new migration), so this migration gives the same rows on every machine.
"""

import csv
import datetime
from pathlib import Path

from django.db import migrations

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
COUNTIES_FILE = DATA_DIR / "ssb-counties-2024.csv"
MUNICIPALITIES_FILE = DATA_DIR / "ssb-municipalities-2026.csv"
# Today's municipality numbers date from the county reform of 1 January 2024.
VALID_FROM = datetime.date(2024, 1, 1)


def _rows(path):
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load(apps, schema_editor):
    County = apps.get_model("offices", "County")
    Municipality = apps.get_model("offices", "Municipality")
    counties = {}
    for row in _rows(COUNTIES_FILE):
        county, _ = County.objects.update_or_create(
            number=row["county_number"], defaults={"name": row["name"]}
        )
        counties[county.number] = county
    for row in _rows(MUNICIPALITIES_FILE):
        Municipality.objects.update_or_create(
            number=row["municipality_number"],
            valid_from=VALID_FROM,
            defaults={"name": row["name"], "county": counties[row["county_number"]]},
        )


def unload(apps, schema_editor):
    apps.get_model("offices", "Municipality").objects.filter(valid_from=VALID_FROM).delete()
    apps.get_model("offices", "County").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("offices", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
