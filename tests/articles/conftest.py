import datetime

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache, so query counts do not depend on order."""
    cache.clear()
    yield
    cache.clear()


NOON = datetime.datetime(2024, 3, 10, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture
def noon(time_machine) -> datetime.datetime:
    """The clock stands still at 2024-03-10 12:00 UTC; move it with ``time_machine.move_to``."""
    time_machine.move_to(NOON, tick=False)
    return NOON
