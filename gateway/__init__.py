"""Logistics EDI gateway: X12 with carriers, IDoc XML with the ERP, JSON with the TMS and portal."""

__version__ = "0.1.0"

from gateway.compiled import check as _check_compiled

_check_compiled()  # a `make compiled` module older than its source would run old code
