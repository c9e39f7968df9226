"""Acknowledgements as `com.msc.alert.acknowledged.v1` events on `backup.alerts`, keyed by
customer like every alert event: the instance that owns the customer's partition applies
them, in the same stream as the alert's `raised` and `cleared` (rules hold under any order)."""

from __future__ import annotations

import datetime as dt
import uuid

from faststream.kafka import KafkaBroker

from msc_contracts import events
from msc_contracts.topics import BACKUP_ALERTS


class KafkaAlertAcknowledgements:
    """The `AlertAcknowledgements` port on the service's Kafka broker."""

    def __init__(self, broker: KafkaBroker) -> None:
        self._broker = broker

    async def publish(self, customer_id: str, alert_id: str, by: str, at: dt.datetime) -> None:
        """Publish the acknowledgement; return once the broker has it."""
        event = events.CloudEvent[events.AlertAcknowledged](
            id=f"ack-{uuid.uuid4().hex}",
            source="urn:msc:sla-svc",
            type=events.ALERT_ACKNOWLEDGED,
            time=at,
            customerid=customer_id,
            data=events.AlertAcknowledged(alert_id=alert_id, acknowledged_by=by),
        )
        await self._broker.publish(
            events.encode_event(event), topic=BACKUP_ALERTS, key=customer_id.encode()
        )
