"""Logistics EDI gateway: X12 with carriers, IDoc XML with the ERP, JSON with the TMS and portal."""

__version__ = "0.1.0"
