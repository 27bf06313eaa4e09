"""newsroom/log.py: one log line per event."""

import logging
import sys

from newsroom.log import OneLineFormatter, WithoutTraceback


def _record_with_traceback() -> logging.LogRecord:
    try:
        raise ValueError("boom")
    except ValueError:
        exc_info = sys.exc_info()
    return logging.LogRecord("t", logging.ERROR, __file__, 1, "it failed", None, exc_info)


def test_a_traceback_stays_on_the_line_of_its_message():
    line = OneLineFormatter("%(levelname)s %(message)s").format(_record_with_traceback())
    assert "\n" not in line
    assert line.startswith("ERROR it failed\\nTraceback (most recent call last):")
    assert "ValueError: boom" in line


def test_refusals_of_client_input_are_logged_without_a_traceback():
    record = _record_with_traceback()
    assert WithoutTraceback().filter(record) is True
    assert OneLineFormatter("%(message)s").format(record) == "it failed"
