"""Alerts: overdue or rejected acknowledgements, dead letters, silent partners and refused host
keys, found in the store, deduplicated, and delivered by webhook and/or e-mail (SMTP)."""
