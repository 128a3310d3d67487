"""``seed_demo`` never runs in production: its superuser ``admin`` has the public demo password."""

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from navpartner.management.commands.seed_demo import REFUSED_IN_PRODUCTION
from users.models import User

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db(transaction=False)
def test_seed_demo_refuses_production_and_writes_nothing(settings):
    settings.NAVPARTNER_ENV = "production"
    settings.PRODUCTION = True
    settings.DEMO_PASSWORD = "a-new-password-it-must-not-set"
    users_before = User.objects.count()
    with pytest.raises(CommandError) as refused:
        call_command("seed_demo", stdout=io.StringIO())
    assert str(refused.value) == _(REFUSED_IN_PRODUCTION)
    assert "createsuperuser" in str(refused.value)
    assert User.objects.count() == users_before
    assert not User.objects.get(username="admin").check_password(settings.DEMO_PASSWORD)


def test_compose_and_readme_suggest_createsuperuser_not_seed_demo_in_production():
    compose = (ROOT / "docker-compose.yml").read_text()
    assert not re.search(r"manage\.py\s+seed_demo", compose)
    assert "manage.py createsuperuser" in compose
    readme = (ROOT / "README.md").read_text()
    production = readme.split("## Production", 1)[1].split("\n## ", 1)[0]
    assert not re.search(r"manage\.py\s+seed_demo|make (seed|run)", production)
    assert "createsuperuser" in production
