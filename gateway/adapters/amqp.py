"""AMQP transport (producer): publish deliveries to a RabbitMQ exchange as an event stream.

Each delivery is one persistent message (delivery_mode 2) on a durable topic exchange, with
`message_id` = the outbox idempotency key, published on a channel in confirm mode: `deliver`
returns only once the broker has confirmed it, so an unconfirmed publish stays in the outbox
and is sent again. A crash between the confirm and the outbox's record sends the same message
again under the same `message_id`: consumers drop repeats by it (at-least-once + dedup).

Routing key: `<routing_prefix><document type>` taken from the delivery name the renderer gives
(`shipment_status-<key>.json` -> `shipment_status`), e.g. `shipment_status`, `load_tender`,
`tender_response`, `freight_invoice`. A broker that cannot be reached, a closed connection or
a nack is transient: the outbox backs off and retries, nothing is lost.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field

import pika
import pika.exceptions
from pika.adapters.blocking_connection import BlockingChannel
from pika.exchange_type import ExchangeType

from gateway.adapters.base import Delivery, PermanentDeliveryError, TransientDeliveryError

log = logging.getLogger(__name__)
# pika logs every failed connect at ERROR with its stack; the outbox logs one line per failure
logging.getLogger("pika").setLevel(logging.CRITICAL)

_ROUTING_KEY = re.compile(r"^([a-z_]+)-")
_TRANSIENT = (
    pika.exceptions.AMQPConnectionError,
    pika.exceptions.AMQPChannelError,
    pika.exceptions.StreamLostError,
    pika.exceptions.NackError,
    pika.exceptions.UnroutableError,
    ConnectionError,
    OSError,
)


def routing_key(delivery: Delivery, prefix: str = "") -> str:
    match = _ROUTING_KEY.match(delivery.name)
    return f"{prefix}{match.group(1) if match else 'document'}"


@dataclass
class AmqpSink:
    url: str
    exchange: str = "gateway.events"
    routing_prefix: str = ""
    timeout_seconds: float = 10.0
    _connection: pika.BlockingConnection | None = field(default=None, init=False, repr=False)
    _channel: BlockingChannel | None = field(default=None, init=False, repr=False)

    def _open(self) -> BlockingChannel:
        if self._channel is not None and self._channel.is_open:
            return self._channel
        self.close()
        try:
            params = pika.URLParameters(self.url)
        except Exception as exc:  # pika parses lazily; the message never holds the URL
            raise PermanentDeliveryError(f"bad AMQP URL: {type(exc).__name__}") from None
        params.socket_timeout = self.timeout_seconds
        params.blocked_connection_timeout = self.timeout_seconds
        params.connection_attempts = 1
        params.retry_delay = 0
        self._connection = pika.BlockingConnection(params)
        channel = self._connection.channel()
        channel.confirm_delivery()  # every basic_publish waits for the broker's ack
        topic = ExchangeType.topic  # the stubs type enum members as str
        channel.exchange_declare(self.exchange, exchange_type=topic, durable=True)  # type: ignore[arg-type]
        self._channel = channel
        return channel

    def deliver(self, delivery: Delivery) -> None:
        properties = pika.BasicProperties(
            message_id=delivery.idempotency_key,
            delivery_mode=2,  # persistent: written to disk by a durable queue
            content_type="application/json",
            type=routing_key(delivery),
            timestamp=int(time.time()),
            app_id="logistics-edi-gateway",
        )
        try:
            self._open().basic_publish(
                self.exchange,
                routing_key(delivery, self.routing_prefix),
                delivery.payload,
                properties,
            )
        except _TRANSIENT as exc:
            self.close()
            raise TransientDeliveryError(
                f"AMQP publish to {self.exchange} not confirmed: {type(exc).__name__}"
            ) from None

    def flush(self) -> None:
        """Each publish is confirmed before `deliver` returns: nothing to flush."""

    def close(self) -> None:
        connection, self._connection, self._channel = self._connection, None, None
        if connection is not None and connection.is_open:
            try:
                connection.close()
            except _TRANSIENT:
                log.debug("closing the AMQP connection failed", exc_info=True)
