"""Keep query strings out of urllib3's and uvicorn's own log records.

Why: urllib3's connection module logs the request URL, query included, when a response has
malformed headers; uvicorn's access log writes every request's path with its query, and
Rocket.Chat clients put ``rc_uid``/``rc_token`` (an auth token) in file links' queries. Query
strings carry tokens, and logs must never contain them (security-reliability §1.11.4, A-11
row 11.3). A filter on those loggers cuts every string argument at ``?``.
"""

from __future__ import annotations

import logging

_URL_LOGGERS = ("urllib3.connection", "uvicorn.access")


def _strip_query(value: object) -> object:
    if isinstance(value, str) and "?" in value:
        return value.split("?", 1)[0] + "?[redacted]"
    return value


class QueryRedactingFilter(logging.Filter):
    """Rewrites record arguments so no query string is formatted into the message."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_strip_query(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _strip_query(arg) for key, arg in record.args.items()}
        if isinstance(record.msg, str):
            record.msg = _strip_query(record.msg)
        return True


def install() -> None:
    """Attach the filter once to each logger that can print a request URL."""
    for name in _URL_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, QueryRedactingFilter) for f in logger.filters):
            logger.addFilter(QueryRedactingFilter())
