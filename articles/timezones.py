"""The site's time zone as editors read it beside every time in the admin:
its name, and the abbreviation in force at that moment ("Europe/Paris, CEST")."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format


def zone_label(moment: datetime.datetime | None = None) -> str:
    """The zone's name and, when it says more, its abbreviation at ``moment`` (now)."""
    name = settings.TIME_ZONE
    local = timezone.localtime(moment or timezone.now())
    abbreviation = local.tzname() or ""
    if not abbreviation or abbreviation == name or abbreviation.lstrip("+-").isdigit():
        return name
    return f"{name}, {abbreviation}"


def local_time_label(moment: datetime.datetime | None) -> str:
    """``moment`` in the site's zone, then the zone:
    "March 10, 2024, 1 p.m. (Europe/Paris, CET)"."""
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    return f"{date_format(local, 'DATETIME_FORMAT')} ({zone_label(moment)})"
