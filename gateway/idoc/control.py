"""The EDI_DC40 control record of IDocs the gateway sends into SAP, filled from the ERP's profile.

Inbound to SAP means DIRECT 2, no STATUS, and the partner profile (WE20) of SNDPRN + MESTYP
(+ MESCOD/MESFCT) must exist on the SAP side.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from gateway.idoc.errors import IdocFieldError
from gateway.idoc.fields import FieldKind, FieldSpec, FieldValue, format_field

DIRECT_INBOUND = "2"

# EDI_DC40 lengths (SAP table EDIDC), checked when a profile is built so a bad profile fails at
# start-up, not at the first delivery.
_PROFILE_FIELDS = {
    "sndpor": FieldSpec("SNDPOR", FieldKind.CHAR, 10),
    "sndprt": FieldSpec("SNDPRT", FieldKind.CHAR, 2),
    "sndprn": FieldSpec("SNDPRN", FieldKind.CHAR, 10),
    "rcvpor": FieldSpec("RCVPOR", FieldKind.CHAR, 10),
    "rcvprt": FieldSpec("RCVPRT", FieldKind.CHAR, 2),
    "rcvprn": FieldSpec("RCVPRN", FieldKind.CHAR, 10),
    "sndpfc": FieldSpec("SNDPFC", FieldKind.CHAR, 2),
    "rcvpfc": FieldSpec("RCVPFC", FieldKind.CHAR, 2),
    "mescod": FieldSpec("MESCOD", FieldKind.CHAR, 3),
    "mesfct": FieldSpec("MESFCT", FieldKind.CHAR, 3),
    "docrel": FieldSpec("DOCREL", FieldKind.CHAR, 4),
    "mandt": FieldSpec("MANDT", FieldKind.NUMC, 3),
    "sap_time_zone": FieldSpec("TZONE", FieldKind.CHAR, 6),
}


@dataclass(frozen=True, slots=True)
class IdocPartnerConfig:
    """How the gateway addresses one SAP system (one ERP profile).

    Sender = the gateway (port, partner type, logical system), receiver = SAP
    (port `SAP<SID>`, partner type LS, logical system `<SID>CLNT<client>`). One config per
    message variant when MESCOD/MESFCT differ (use `dataclasses.replace`).
    """

    sndpor: str
    sndprt: str
    sndprn: str
    rcvpor: str
    rcvprt: str
    rcvprn: str
    mandt: str | None = None  # SAP client, 3 digits
    sndpfc: str | None = None
    rcvpfc: str | None = None
    mescod: str | None = None  # e.g. "MM" for INVOIC into logistics invoice verification
    mesfct: str | None = None
    docrel: str | None = None  # SAP release the files are written for, e.g. "750"
    test: bool = False  # TEST = "X": SAP processes the IDoc as a test
    time_zone: str = "UTC"  # IANA zone in which every date and time of the IDoc is written
    sap_time_zone: str | None = None  # SAP zone code (table TTZZ) for TZONE_* fields, e.g. "UTC"

    def __post_init__(self) -> None:
        for attribute, spec in _PROFILE_FIELDS.items():
            value = getattr(self, attribute)
            if attribute in ("sndpor", "sndprt", "sndprn", "rcvpor", "rcvprt", "rcvprn") and (
                not value or not value.strip()
            ):
                message = f"IDoc profile: {spec.name} is required"
                raise IdocFieldError(message, "EDI_DC40", spec.name)
            if value is not None:
                format_field(spec, value, "EDI_DC40")
        if self.mandt is not None and len(self.mandt) != 3:
            raise IdocFieldError("IDoc profile: MANDT is 3 digits", "EDI_DC40", "MANDT")
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise IdocFieldError(f"IDoc profile: unknown time zone {self.time_zone!r}") from None

    def local(self, instant: dt.datetime) -> tuple[dt.date, dt.time]:
        """An aware instant as the date and time (whole seconds) SAP is to read, in `time_zone`."""
        if instant.tzinfo is None or instant.utcoffset() is None:
            raise ValueError("an IDoc date/time needs a timezone-aware datetime")
        local = instant.astimezone(ZoneInfo(self.time_zone))
        return local.date(), local.time().replace(microsecond=0, tzinfo=None)


def control_record(
    config: IdocPartnerConfig,
    *,
    idoctyp: str,
    mestyp: str,
    created: dt.datetime,
    docnum: int | str | None = None,
    cimtyp: str | None = None,
) -> dict[str, FieldValue]:
    """EDI_DC40 field values of an IDoc to SAP. `created` is the (aware) time of rendering;
    `docnum` is the gateway's own number (SAP assigns its own on arrival; the gateway's is
    kept for tracing), zero-padded to 16."""
    credat, cretim = config.local(created)
    return {
        "TABNAM": "EDI_DC40",
        "MANDT": config.mandt,
        "DOCNUM": docnum,
        "DOCREL": config.docrel,
        "DIRECT": DIRECT_INBOUND,
        "TEST": "X" if config.test else None,
        "IDOCTYP": idoctyp,
        "CIMTYP": cimtyp,
        "MESTYP": mestyp,
        "MESCOD": config.mescod,
        "MESFCT": config.mesfct,
        "SNDPOR": config.sndpor,
        "SNDPRT": config.sndprt,
        "SNDPFC": config.sndpfc,
        "SNDPRN": config.sndprn,
        "RCVPOR": config.rcvpor,
        "RCVPRT": config.rcvprt,
        "RCVPFC": config.rcvpfc,
        "RCVPRN": config.rcvprn,
        "CREDAT": credat,
        "CRETIM": cretim,
    }
