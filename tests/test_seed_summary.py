"""The summary ``seed_demo`` prints is true: the users it counts exist, and the address is the
one ``make run`` serves on (README, issue 8 finding 10)."""

import io
import re

import pytest
from django.core.management import call_command

from offices.models import Office
from users.models import User

pytestmark = pytest.mark.django_db(transaction=False)


def seed(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_the_summary_counts_the_users_that_exist(demo_data):
    summary = seed()
    total = User.objects.count()
    assert f"{Office.objects.count()} offices, {total} users." in summary
    named = re.search(r"as one of: (.+)\n", summary).group(1).split(", ")
    assert User.objects.filter(username__in=named).count() == len(named)
    others = int(re.search(r"or one of the (\d+) others", summary).group(1))
    assert len(named) + others == total
    # Without an address from make run, no port is promised.
    assert "http://127.0.0.1:8000/, or HOST=… PORT=…" in summary


def test_the_summary_names_the_address_make_run_serves(demo_data):
    summary = seed("--serve-url=http://0.0.0.0:8123/")
    assert "Sign in at http://0.0.0.0:8123/ as one of:" in summary
    assert "8000" not in summary
