"""Finds alert conditions in the store, raises each once (by dedup key) and delivers them.

`AlertEngine.run()` is one round: scan -> raise the new ones -> deliver what is undelivered
(webhook JSON POST and/or an e-mail through the configured SMTP server), with up to
`max_attempts` tries per alert across rounds. `gateway run` calls it every minute.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import smtplib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from urllib.parse import urlencode

import httpx

from gateway.alerts.policy import AlertKind, AlertPolicy, SmtpSettings
from gateway.registry import Registry, Role
from gateway.registry.secrets import SecretMissingError, resolve_secret
from gateway.store import (
    AckDirection,
    AckStatus,
    AlertRow,
    NewAlert,
    OutboxStatus,
    Store,
    utc_now,
)

log = logging.getLogger(__name__)

HOST_KEY_ALERT_KINDS = frozenset({"host_key_refused", "sftp_host_key_refused"})

SCAN_LIMIT = 500
MAX_ATTEMPTS = 5


@dataclass(frozen=True, slots=True)
class Channels:
    """The effective policy for one partner: its own settings over the global ones."""

    webhook_url: str | None
    webhook_secret: str | None
    email_to: tuple[str, ...]
    kinds: frozenset[AlertKind]
    silent_after_hours: float | None

    @property
    def any(self) -> bool:
        return bool(self.webhook_url or self.email_to)


@dataclass
class RunReport:
    raised: int = 0
    delivered: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


class AlertEngine:
    def __init__(
        self,
        store: Store,
        registry: Registry,
        *,
        console_url: str = "http://127.0.0.1:8080/console",
        env: Mapping[str, str] | None = None,
        http: httpx.Client | None = None,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> None:
        self.store = store
        self.registry = registry
        self.env = env
        self.http = http
        self.max_attempts = max_attempts
        selves = [p for p in registry.profiles if p.role is Role.SELF]
        self.global_policy = (selves[0].alerts if selves else None) or AlertPolicy()
        self.console_url = (self.global_policy.console_url or console_url).rstrip("/")
        self.smtp: SmtpSettings | None = self.global_policy.smtp

    def channels(self, partner_id: str | None) -> Channels:
        g = self.global_policy
        profile = self.registry.find(partner_id) if partner_id else None
        own = profile.alerts if profile is not None and profile.role is not Role.SELF else None
        own = own or AlertPolicy()
        kinds = own.kinds if own.kinds is not None else g.kinds
        return Channels(
            webhook_url=own.webhook_url or g.webhook_url,
            webhook_secret=own.webhook_secret if own.webhook_url else g.webhook_secret,
            email_to=tuple(own.email_to or g.email_to),
            kinds=frozenset(kinds if kinds is not None else AlertKind),
            silent_after_hours=own.silent_after_hours or g.silent_after_hours,
        )

    # ------------------------------------------------------------ scan

    def scan(self, now: datetime) -> list[NewAlert]:
        found: list[NewAlert] = []

        def add(
            kind: AlertKind,
            partner: str | None,
            key: str,
            summary: str,
            link: str,
            **detail: object,
        ) -> None:
            ch = self.channels(partner)
            if kind in ch.kinds and ch.any:
                found.append(
                    NewAlert(
                        f"{kind.value}:{key}", kind.value, partner, summary, link, dict(detail)
                    )
                )

        for status, kind in (
            (AckStatus.OVERDUE, AlertKind.ACK_OVERDUE),
            (AckStatus.REJECTED, AlertKind.ACK_REJECTED),
        ):
            for a in self.store.board_acks(
                direction=AckDirection.EXPECTED, statuses=(status,), limit=SCAN_LIMIT
            ):
                what = f"{a.kind.value} for ISA13 {a.interchange_control_number}"
                if a.group_control_number:
                    what += f" GS06 {a.group_control_number}"
                query = urlencode({"side": "sent", "partner": a.partner_id, "status": status.value})
                add(
                    kind,
                    a.partner_id,
                    str(a.id),
                    f"{a.partner_id}: {what} is {status.value}",
                    f"{self.console_url}/acks?{query}#rows",
                    ack_id=a.id,
                    due_at=a.due_at.isoformat() if a.due_at else None,
                )
        dead = self.store.list_outbox(status=OutboxStatus.DEAD, limit=SCAN_LIMIT)
        deaths = self.store.last_outbox_events([o.id for o in dead], "dead_lettered")
        for o in dead:
            add(
                AlertKind.DEAD_LETTER,
                o.destination,
                # each death is an event of its own: requeued and dead again is a new alert
                f"{o.id}:{deaths.get(o.id, 0)}",
                f"delivery {o.id} to {o.destination} ({o.kind}) gave up "
                f"after {o.attempts} attempts",
                f"{self.console_url}/exceptions#deadletters",
                outbox_id=o.id,
                last_error=o.last_error,
            )
        figures = self.store.partner_figures(sample=1)
        for p in self.registry.profiles:
            hours = self.channels(p.id).silent_after_hours
            last = figures[p.id].last_received if p.id in figures else None
            if hours is None or last is None or now - last < timedelta(hours=hours):
                continue
            add(
                AlertKind.SILENT_PARTNER,
                p.id,
                f"{p.id}:{last.isoformat()}",  # once per silence
                f"{p.id} has sent nothing for {(now - last).total_seconds() / 3600:.1f} hours",
                f"{self.console_url}/partners",
                last_received=last.isoformat(),
            )
        for event_id, message_id, at, event_kind, detail in self.store.events_of_kind(
            ["host_key_refused", "alert"], limit=SCAN_LIMIT
        ):
            info = detail if isinstance(detail, dict) else {}
            if event_kind == "alert" and info.get("kind") == "impersonation":
                self._impersonation(add, event_id, message_id, at, info)
                continue
            # the SFTP source records `alert` events of kind sftp_host_key_refused
            if event_kind == "alert" and info.get("kind") not in HOST_KEY_ALERT_KINDS:
                continue
            partner = info.get("partner") or info.get("partner_id")
            add(
                AlertKind.HOST_KEY_REFUSED,
                str(partner) if partner else None,
                str(event_id),
                f"host key refused for {partner or 'a partner'} "
                f"({info.get('host') or info.get('error') or '?'})",
                f"{self.console_url}/partners",
                event_id=event_id,
                at=at.isoformat(),
                host=info.get("host"),
                message_id=message_id,
            )
        return found

    def _impersonation(
        self,
        add: Callable[..., None],
        event_id: int,
        message_id: int | None,
        at: datetime,
        info: Mapping[str, object],
    ) -> None:
        """The pipeline blocked an interchange whose ISA sender is not the partner whose channel
        carried it: raised to that channel's partner (a security event, not only a page row)."""
        msg = self.store.get_message(message_id) if message_id is not None else None
        partner = msg.partner_id if msg is not None else None
        add(
            AlertKind.IMPERSONATION,
            partner,
            str(event_id),
            f"interchange refused on {partner or 'a partner'}'s channel: {info.get('detail', '?')}",
            f"{self.console_url}/messages/{message_id}" if message_id else self.console_url,
            event_id=event_id,
            at=at.isoformat(),
            message_id=message_id,
        )

    # ------------------------------------------------------------ deliver

    def deliver(self, alert: AlertRow) -> None:
        """Send one alert on every channel of its partner's policy; raises on any failure."""
        ch = self.channels(alert.partner_id)
        body = json.dumps(
            {
                "kind": alert.kind,
                "partner": alert.partner_id,
                "summary": alert.summary,
                "link": alert.link,
                "detail": alert.detail,
                "raised_at": alert.created_at.isoformat(),
                "dedup_key": alert.dedup_key,
            },
            sort_keys=True,
        ).encode()
        if ch.webhook_url:
            headers = {"Content-Type": "application/json", "X-Gateway-Alert": alert.kind}
            if ch.webhook_secret:
                secret = resolve_secret(ch.webhook_secret, self.env).encode()
                headers["X-Gateway-Signature"] = (
                    "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
                )
            client = self.http or httpx.Client(timeout=10.0)
            try:
                response = client.post(ch.webhook_url, content=body, headers=headers)
            finally:
                if self.http is None:
                    client.close()
            if not 200 <= response.status_code < 300:
                raise RuntimeError(f"webhook answered {response.status_code}")
        if ch.email_to:
            if self.smtp is None:
                raise RuntimeError("email_to is set but the self profile has no alerts.smtp")
            self._mail(self.smtp, ch.email_to, alert)

    def _mail(self, smtp: SmtpSettings, to: tuple[str, ...], alert: AlertRow) -> None:
        msg = EmailMessage()
        msg["Subject"] = f"[gateway] {alert.summary}"
        msg["From"] = smtp.sender
        msg["To"] = ", ".join(to)
        lines = [alert.summary, "", f"Open in the console: {alert.link}" if alert.link else ""]
        if alert.detail:
            lines += ["", json.dumps(alert.detail, indent=2, sort_keys=True, default=str)]
        msg.set_content("\n".join(lines))
        with smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_seconds) as server:
            if smtp.starttls:
                server.starttls()
            if smtp.username and smtp.password:
                server.login(smtp.username, resolve_secret(smtp.password, self.env))
            server.send_message(msg)

    def run(self, now: datetime | None = None) -> RunReport:
        at = now or utc_now()
        report = RunReport(raised=self.store.raise_alerts(self.scan(at), now=at))
        for alert in self.store.undelivered_alerts(max_attempts=self.max_attempts):
            try:
                self.deliver(alert)
            except (
                OSError,
                httpx.HTTPError,
                smtplib.SMTPException,
                RuntimeError,
                SecretMissingError,
            ) as exc:
                error = f"{type(exc).__name__}: {exc}"[:500]
                self.store.record_alert_attempt(alert.id, error=error, now=at)
                report.failed += 1
                report.errors.append(error)
                log.warning("alert %s (%s) not delivered: %s", alert.id, alert.kind, error)
                continue
            self.store.record_alert_attempt(alert.id, error=None, now=at)
            report.delivered += 1
        return report
