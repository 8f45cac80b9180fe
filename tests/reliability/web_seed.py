"""Seed data for a web subprocess's own database (run inside `manage.py shell`): an estate with a
council and a verified resident, logged in. Prints one JSON line the test reads."""

import json

from django.test import Client


def main() -> None:
    from deliberation.factories import CouncilFactory, resident_of

    council = CouncilFactory()
    resident = resident_of(council.estate)
    client = Client()
    client.force_login(resident)
    print(  # noqa: T201  the test parses this line
        "SEED "
        + json.dumps(
            {
                "council": council.pk,
                "resident": resident.pk,
                "sessionid": client.cookies["sessionid"].value,
            }
        )
    )
