"""A closed vote's stored result cannot be rewritten: the model refuses, and on PostgreSQL the
database refuses a raw UPDATE or DELETE too (a trigger), whatever the application does."""

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from deliberation.assemblies import services
from deliberation.assemblies.models import VoteResult

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only"
)


@pytest.fixture
def result(open_vote, owner_a):
    services.ballot_cast(vote=open_vote, user=owner_a, choice="agree")
    return services.vote_close(vote=open_vote, by=None)


def test_model_refuses_to_save_or_delete_a_result(result):
    with pytest.raises(ValidationError):
        result.save()
    with pytest.raises(ValidationError):
        result.delete()


@on_postgresql
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE deliberation_voteresult SET passed = NOT passed WHERE id = %s",
        "UPDATE deliberation_voteresult SET data = '{}'::jsonb WHERE id = %s",
        "DELETE FROM deliberation_voteresult WHERE id = %s",
    ],
)
def test_database_refuses_raw_update_and_delete(result, sql):
    with (
        pytest.raises(DatabaseError, match="never changed"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [result.pk])
    stored = VoteResult.objects.get(pk=result.pk)
    assert stored.passed == result.passed and stored.data == result.data


@on_postgresql
def test_queryset_update_bypassing_the_model_is_refused(result):
    with pytest.raises(DatabaseError), transaction.atomic():
        VoteResult.objects.filter(pk=result.pk).update(passed=not result.passed)
    assert VoteResult.objects.get(pk=result.pk).passed == result.passed
