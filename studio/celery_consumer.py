"""The worker's broker consumer, with one fix: it survives losing Redis while holding messages.

celery 5.7.0 (with kombu 5.7.0) exits with "Unrecoverable error: AttributeError: 'NoneType'
object has no attribute 'hostname'" when the broker goes away while the worker holds
unacknowledged messages (scheduled poll hops nearly always). On the connection error the consumer
first `collect()`s the connection, which detaches the Redis transport (`transport.client = None`)
but leaves the channel whose close was cut short by the same error; then it `close()`s that
connection again. The second close reaches `Channel.close` -> `restore_unacked` -> `_connparams`,
which reads `transport.client.hostname` and raises AttributeError, an error `ignore_errors` does
not ignore, so the worker stops instead of reconnecting (celery 5.6.3 did not close twice).

Here that second close ignores exactly this error. Nothing is lost: the messages could not be
restored to a broker that is down anyway, and the job rows are the truth that the sweep re-sends
from. Enabled by CELERY_WORKER_CONSUMER in settings; drop it once celery fixes the double close.

The same detached transport raises the same AttributeError later, from the acknowledgement of a
task that was running when the broker went (its message belongs to the lost channel): celery
logs and skips an acknowledgement that fails with a connection error, but not with this one, so
the worker stopped after it had already reconnected. The consumer counts it as a connection error
of the lost connection (tests/ops/test_redis_outage.py keeps a hop in flight across the outage).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from celery.worker.consumer import Consumer as CeleryConsumer

logger = logging.getLogger(__name__)


class Consumer(CeleryConsumer):
    # Set by celery's own __init__ (celery-types does not declare it).
    connection_errors: tuple[type[BaseException], ...]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Read by the requests' acknowledgements and the consumer's reconnect loop.
        self.connection_errors = (*self.connection_errors, AttributeError)

    def on_connection_error_after_connected(self, exc: Exception) -> None:
        connection = self.connection
        if connection is not None:
            # This connection's own close, shadowing the class's method in the instance's dict
            # (what assigning the attribute does; a checker refuses assigning to a method).
            vars(connection)["close"] = _tolerant_close(connection.close)
        super().on_connection_error_after_connected(exc)


def _tolerant_close(close: Callable[[], None]) -> Callable[[], None]:
    def close_detached_connection() -> None:
        try:
            close()
        except AttributeError as error:  # the detached transport (see the module docstring)
            logger.warning("broker connection already torn down, not closed again: %s", error)

    return close_detached_connection
