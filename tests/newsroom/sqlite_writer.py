"""One of several processes writing to one SQLite file at once (see test_sqlite_concurrency).

    python -m tests.newsroom.sqlite_writer NAME TRANSACTIONS GO_FILE

Says it is ready (a ``ready-NAME`` file beside GO_FILE), waits for GO_FILE
so every writer starts together, then runs TRANSACTIONS
read-then-write transactions: count this writer's groups, create the next one
by that count. Under SQLite's default deferred transactions the read takes a
snapshot that a concurrent commit invalidates, and the write then fails at
once with "database is locked" whatever the busy timeout; IMMEDIATE
transactions queue instead. Names are unique, so a lost update would show.
"""

import sys
import time
from pathlib import Path

import django


def main(name: str, transactions: int, go_file: Path) -> None:
    django.setup()
    from django.contrib.auth.models import Group
    from django.db import transaction

    go_file.with_name(f"ready-{name}").touch()
    deadline = time.monotonic() + 60
    while not go_file.exists():
        if time.monotonic() > deadline:
            sys.exit("no start signal within 60 s")
        time.sleep(0.005)
    for _ in range(transactions):
        with transaction.atomic():
            Group.objects.count()  # read everyone's rows, as a real view would
            mine = Group.objects.filter(name__startswith=f"{name}-").count()
            Group.objects.create(name=f"{name}-{mine}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), Path(sys.argv[3]))
