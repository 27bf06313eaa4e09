"""Log formatting: one line per event, so stdout can be shipped line by line."""

import logging


class OneLineFormatter(logging.Formatter):
    """A record with a traceback stays one line: its newlines are written as ``\\n``."""

    def format(self, record: logging.LogRecord) -> str:
        return super().format(record).replace("\n", "\\n")


class WithoutTraceback(logging.Filter):
    """For refusals of bad client input (a forged Host header): the message says it all."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info = None
        record.exc_text = None
        return True
