"""The demo data is loaded once per session (tests/conftest.py), and is there for every test."""

import pytest

from navpartner import demo
from offices.models import County, Office
from users.models import User


def demo_offices() -> set[str]:
    return set(
        Office.objects.filter(code__in=[row[0] for row in demo.OFFICES]).values_list(
            "code", flat=True
        )
    )


@pytest.mark.django_db
def test_every_database_test_sees_the_demo_data_without_asking():
    assert demo_offices() == {row[0] for row in demo.OFFICES}
    assert User.objects.get(username="admin").is_superuser


@pytest.mark.django_db
def test_a_test_changes_the_demo_data_only_for_itself(demo_data):
    User.objects.filter(username="leder.heimdal").update(first_name="Endret")
    assert User.objects.get(username="leder.heimdal").first_name == "Endret"


@pytest.mark.django_db
def test_the_change_was_rolled_back(demo_data):
    # Runs after the test above (the order of a file is kept): its change is gone.
    assert User.objects.get(username="leder.heimdal").first_name != "Endret"


# Transactional tests run after all others and each ends with a flush of every table, so the
# second of these starts from an empty database (but for the reference data that
# serialized_rollback puts back) and demo_data must seed again.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_transactional_test_flushes_at_the_end():
    assert County.objects.exists()
    User.objects.create(username="only.in.this.test")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_demo_data_is_seeded_again_after_a_flush(demo_data, client):
    assert not User.objects.filter(username="only.in.this.test").exists()
    assert demo_offices() == {row[0] for row in demo.OFFICES}
    assert client.login(username="leder.heimdal", password=demo_data)
