"""Who and where: locations, parties (N1 loops), contacts, references (L11/N9) and notes."""

from __future__ import annotations

from enum import StrEnum

from gateway.canonical.base import CanonicalModel
from gateway.canonical.values import DateTimeValue


class Location(CanonicalModel):
    """A postal and/or geographic place. `country` is ISO 3166-1 alpha-2 when recognised."""

    address_lines: tuple[str, ...] = ()
    city: str | None = None
    state: str | None = None  # state or province code as sent (N4-02, MS1-02)
    postal_code: str | None = None
    country: str | None = None
    latitude: float | None = None  # decimal degrees, north positive
    longitude: float | None = None  # decimal degrees, east positive
    timezone: str | None = None  # IANA zone name when known or inferred from country + state
    location_code: str | None = None  # e.g. SPLC, terminal or dock code, when sent
    location_qualifier: str | None = None


class PartyRole(StrEnum):
    """Canonical role of a party (element 98, N1-01)."""

    SHIPPER = "shipper"  # SH
    CONSIGNEE = "consignee"  # CN
    BILL_TO = "bill_to"  # BT
    SHIP_FROM = "ship_from"  # SF
    SHIP_TO = "ship_to"  # ST
    CARRIER = "carrier"  # CA
    PAYER = "payer"  # PR
    REMIT_TO = "remit_to"  # RE
    PICKUP_ADDRESS = "pickup_address"  # PW
    DELIVERY_ADDRESS = "delivery_address"  # DA
    ORIGIN_TERMINAL = "origin_terminal"  # OT
    DESTINATION_TERMINAL = "destination_terminal"  # DT
    WAREHOUSE = "warehouse"  # WH
    BUYER = "buyer"  # BY
    SELLER = "seller"  # SE
    SUPPLIER = "supplier"  # SU
    VENDOR = "vendor"  # VN
    SOLD_TO = "sold_to"  # SO
    NOTIFY = "notify"  # N1
    FORWARDER = "forwarder"  # FW
    CUSTOMS_BROKER = "customs_broker"  # CB
    EMPLOYEE = "employee"  # EY
    BOL_SIGNER = "bol_signer"  # N5
    OTHER = "other"


class PartyIdentifier(CanonicalModel):
    qualifier: str  # raw element 66, e.g. "93" code assigned by the buyer, "25" carrier-assigned
    value: str


class Contact(CanonicalModel):
    """A G61/PER contact."""

    function_code: str | None = None  # raw element 366, e.g. "IC" information contact
    name: str | None = None
    phone: str | None = None
    email: str | None = None
    fax: str | None = None


class ReferenceKind(StrEnum):
    """Canonical kind of a reference qualifier (element 128, L11-02 / N9-01)."""

    BOL = "bol"  # BM
    MASTER_BOL = "master_bol"  # MB
    PRO = "pro"  # CN carrier's reference number
    PO = "po"  # PO
    SHIPMENT_ID = "shipment_id"  # SI shipper's identifying number for shipment
    LOAD_ID = "load_id"  # LO load planning number
    CUSTOMER_REF = "customer_ref"  # CR
    CUSTOMER_ORDER = "customer_order"  # CO
    VENDOR_ORDER = "vendor_order"  # VN
    TRACKING_NUMBER = "tracking_number"  # 2I
    STOP_SEQUENCE = "stop_sequence"  # QN
    APPOINTMENT = "appointment"  # AO
    PICKUP = "pickup"  # P8
    DELIVERY_ORDER = "delivery_order"  # DO
    BOOKING = "booking"  # BN
    EQUIPMENT = "equipment"  # EQ
    WAYBILL = "waybill"  # WY
    AIR_WAYBILL = "air_waybill"  # AW
    INVOICE = "invoice"  # IK
    COMMERCIAL_INVOICE = "commercial_invoice"  # 4H
    SCAC = "scac"  # SCA
    CONSOLIDATION = "consolidation"  # 1O
    JOB = "job"  # 9R
    DELIVERY_TICKET = "delivery_ticket"  # DJ
    VESSEL = "vessel"  # WU
    VOYAGE = "voyage"  # V3
    MUTUALLY_DEFINED = "mutually_defined"  # ZZ
    OTHER = "other"


class Reference(CanonicalModel):
    qualifier: str  # raw qualifier as sent, e.g. "BM"
    kind: ReferenceKind
    value: str
    description: str | None = None


class Party(CanonicalModel):
    """An N1 loop (N1/N2/N3/N4/G61/L11/G62) or its equivalent from another channel."""

    role: PartyRole
    entity_code: str  # raw N1-01
    name: str | None = None  # N1-02
    additional_names: tuple[str, ...] = ()  # N2-01/02
    identifiers: tuple[PartyIdentifier, ...] = ()  # N1-03/04
    location: Location | None = None
    contacts: tuple[Contact, ...] = ()
    references: tuple[Reference, ...] = ()
    dates: tuple[DateTimeValue, ...] = ()


class Note(CanonicalModel):
    """Free text (NTE, K1, LH6 ...). `code` is the raw note reference code when sent."""

    text: str
    code: str | None = None
