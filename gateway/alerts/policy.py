"""The alert policy models (defined beside the other profile sections in
`gateway.registry.alerts_policy`, which the profile model imports)."""

from gateway.registry.alerts_policy import AlertKind, AlertPolicy, SmtpSettings

__all__ = ["AlertKind", "AlertPolicy", "SmtpSettings"]
