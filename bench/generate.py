"""Streaming generator of large, valid X12 214/204/210 files for the benchmarks.

Each set is built from a template with per-set values (PRO, BOL, places, dates, status codes) so
no two sets are alike, and written in batches: memory stays flat whatever the size. The content
passes the gateway's validator (tests/unit/test_bench_smoke.py checks it) and maps to canonical.

    python bench/generate.py OUT.x12 --set 214 --sets 100000 --per-interchange 1000
    python bench/generate.py OUT.x12 --set 214 --bytes 1G      # one interchange of ~1 GB
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

SetKind = Literal["214", "204", "210"]
KINDS: tuple[SetKind, ...] = ("214", "204", "210")
_FUNCTIONAL_ID = {"214": "QM", "204": "SM", "210": "IM"}
_BATCH = 500  # sets joined per write: few syscalls, small buffers


@dataclass(frozen=True, slots=True)
class Party:
    """The ISA/GS identity a file is sent from (or to)."""

    qualifier: str
    isa_id: str
    gs_id: str


DEMO_CARRIER = Party("02", "DEMOCARRIER", "DEMOCARRIER")
GATEWAY = Party("ZZ", "LOGIGATEWAY", "LOGIGATEWAY")


@dataclass(frozen=True, slots=True)
class Generated:
    """What was written: counts of every envelope level and of all segments (envelopes included)."""

    path: str
    kind: SetKind
    sets: int
    interchanges: int
    segments: int
    bytes: int


# (city, state, ZIP, time code a carrier in that zone would send)
_PLACES = (
    ("DALLAS", "TX", "75201", "CT"),
    ("HOUSTON", "TX", "77002", "CT"),
    ("CHICAGO", "IL", "60607", "CT"),
    ("ATLANTA", "GA", "30303", "ET"),
    ("COLUMBUS", "OH", "43215", "ET"),
    ("NEWARK", "NJ", "07102", "LT"),
    ("DENVER", "CO", "80202", "MT"),
    ("PHOENIX", "AZ", "85004", "LT"),
    ("ONTARIO", "CA", "91761", "PT"),
    ("TUALATIN", "OR", "97062", "PT"),
    ("MEMPHIS", "TN", "38103", "CT"),
    ("LAREDO", "TX", "78040", "CT"),
)
# (first AT7-01, second AT7-01): pickup, transit and delivery milestones in their usual pairs
_STATUS_PAIRS = (
    ("X3", "AF"),
    ("AF", "X6"),
    ("X6", "X1"),
    ("X1", "D1"),
    ("AG", "X6"),
    ("X4", "D1"),
)
_CONSIGNEES = ("CONSIGNEE CO", "ACME STORE 114", "NORTHSIDE DC", "MIDWEST GROCERS")


def _date(n: int) -> str:
    return f"202401{n % 28 + 1:02d}"


def _time(n: int) -> str:
    return f"{n % 24:02d}{(n * 7) % 60:02d}"


def _place(n: int) -> tuple[str, str, str, str]:
    return _PLACES[n % len(_PLACES)]


def body_214(n: int, scac: str) -> list[str]:
    """One 214 (004010) without ST/SE: 25 segments, two tracking events in two LX loops."""
    o_city, o_st, o_zip, o_tz = _place(n)
    d_city, d_st, d_zip, d_tz = _place(n + 5)
    t_city, t_st, _, t_tz = _place(n + 2)
    first, second = _STATUS_PAIRS[n % len(_STATUS_PAIRS)]
    day = _date(n)
    return [
        f"B10*PRO{n:09d}*SHP{n:07d}*{scac}",
        f"L11*BOL{n:08d}*BM",
        f"L11*PO{n % 100000:06d}*PO",
        f"L11*{n % 9000 + 1000}*CR",
        "N1*SH*ACME RETAIL*93*ACME-RETAIL",
        f"N3*{n % 900 + 100} INDUSTRIAL PKWY",
        f"N4*{o_city}*{o_st}*{o_zip}*US",
        f"G62*86*{day}*8*{_time(n)}*{o_tz}",
        f"N1*CN*{_CONSIGNEES[n % len(_CONSIGNEES)]}",
        f"N3*{n % 700 + 20} COMMERCE ST",
        f"N4*{d_city}*{d_st}*{d_zip}*US",
        "N1*BT*ACME RETAIL AP",
        "N3*PO BOX 5000",
        "N4*BENTONVILLE*AR*72712*US",
        "LX*1",
        f"AT7*{first}*NS***{day}*{_time(n + 3)}*{t_tz}",
        f"MS1*{t_city}*{t_st}*US",
        f"MS2*{scac}*TRL{n % 10000:05d}",
        f"L11*{n % 50 + 1}*QN",
        f"AT8*G*L*{n % 40000 + 500}*{n % 26 + 1}",
        "LX*2",
        f"AT7*{second}*NS***{day}*{_time(n + 9)}*{d_tz}",
        f"MS1*{d_city}*{d_st}*US",
        f"MS2*{scac}*TRL{n % 10000:05d}",
        f"AT8*G*L*{n % 40000 + 500}*{n % 26 + 1}",
    ]


def body_204(n: int, scac: str) -> list[str]:
    """One 204 (004010) without ST/SE: a two-stop truckload tender, 30 segments."""
    o_city, o_st, o_zip, o_tz = _place(n)
    d_city, d_st, d_zip, d_tz = _place(n + 5)
    day, weight = _date(n), n % 40000 + 1000
    pieces = n % 26 + 1
    return [
        f"B2**{scac}**SID{n:09d}**PP",
        "B2A*00*LT",
        f"L11*{n:010d}*CN",
        f"L11*PO{n % 100000:06d}*PO",
        f"G62*64*{day}*1*{_time(n)}*ET",
        "PLD*20",
        "NTE**By accepting this tender the carrier agrees to the published terms",
        "N1*BT*ACME RETAIL AP*93*ACME-RETAIL",
        "N3*PO BOX 5000",
        "N4*BENTONVILLE*AR*72712*US",
        f"N7**TRL{n % 10000:05d}*********TL",
        f"S5*1*LD*{weight}*L*{pieces}*CA",
        f"L11*BOL{n:08d}*BM",
        f"G62*10*{day}*L*{_time(n + 1)}*{o_tz}",
        f"N1*SF*ACME DC {n % 40}*93*DC{n % 40:03d}",
        f"N3*{n % 900 + 100} INDUSTRIAL PKWY",
        f"N4*{o_city}*{o_st}*{o_zip}*US",
        f"G61*SH*DOCK OFFICE*TE*555{n % 10000000:07d}",
        f"L5*1*GENERAL MERCHANDISE*{n % 100000}*N",
        f"OID*ORD{n:08d}*PO{n % 100000:06d}**CA*{pieces}*L*{weight}",
        f"S5*2*UL*{weight}*L*{pieces}*CA",
        f"L11*BOL{n:08d}*BM",
        f"G62*02*{day}*G*{_time(n + 8)}*{d_tz}",
        f"N1*ST*{_CONSIGNEES[n % len(_CONSIGNEES)]}*93*ST{n % 500:04d}",
        f"N3*{n % 700 + 20} COMMERCE ST",
        f"N4*{d_city}*{d_st}*{d_zip}*US",
        "G61*RE*RECEIVING*TE*5550001234",
        f"L5*1*GENERAL MERCHANDISE*{n % 100000}*N",
        f"OID*ORD{n:08d}*PO{n % 100000:06d}**CA*{pieces}*L*{weight}",
        f"L3*{weight}*G***{n % 500000 + 10000}******{pieces}",
    ]


def body_210(n: int, scac: str) -> list[str]:
    """One 210 (004010) without ST/SE: linehaul, fuel and a discount over three LX loops."""
    o_city, o_st, o_zip, _ = _place(n)
    d_city, d_st, d_zip, _ = _place(n + 5)
    day = _date(n)
    linehaul = n % 300000 + 50000  # cents, N2
    fuel = linehaul // 10
    discount = linehaul // 20
    total = linehaul + fuel - discount
    weight = n % 40000 + 1000
    return [
        f"B3**INV{n:09d}*PRO{n:09d}*PP**{day}*{total}****{scac}*{day}",
        "C3*USD",
        f"N9*BM*BOL{n:08d}",
        f"N9*PO*PO{n % 100000:06d}",
        f"G62*86*{day}",
        f"N1*SH*ACME DC {n % 40}*93*DC{n % 40:03d}",
        f"N3*{n % 900 + 100} INDUSTRIAL PKWY",
        f"N4*{o_city}*{o_st}*{o_zip}*US",
        f"N1*CN*{_CONSIGNEES[n % len(_CONSIGNEES)]}",
        f"N3*{n % 700 + 20} COMMERCE ST",
        f"N4*{d_city}*{d_st}*{d_zip}*US",
        "N1*BT*ACME RETAIL AP*93*ACME-RETAIL",
        "N3*PO BOX 5000",
        "N4*BENTONVILLE*AR*72712*US",
        "LX*1",
        "L5*1*GENERAL MERCHANDISE",
        f"L0*1***{weight}*G***{n % 26 + 1}*PCS",
        f"L1*1*{linehaul / 100:.2f}*FR*{linehaul}****400",
        "LX*2",
        "L5*2*FUEL SURCHARGE",
        f"L1*2*10*PC*{fuel}****FUE",
        "LX*3",
        "L5*3*DISCOUNT",
        f"L1*3***-{discount}****DSC",
        f"L3*{weight}*G***{total}******{n % 26 + 1}",
    ]


BODIES: dict[SetKind, Callable[[int, str], list[str]]] = {
    "214": body_214,
    "204": body_204,
    "210": body_210,
}


def _isa(sender: Party, receiver: Party, isa13: int, usage: str) -> str:
    return (
        f"ISA*00*          *00*          *{sender.qualifier}*{sender.isa_id:<15}*"
        f"{receiver.qualifier}*{receiver.isa_id:<15}*240105*0900*U*00401*{isa13:09d}*0*{usage}*>"
    )


@dataclass(frozen=True, slots=True)
class Layout:
    """How sets are enveloped: `per_interchange` 0 puts every set into one ISA (one GS)."""

    per_interchange: int = 0
    sender: Party = DEMO_CARRIER
    receiver: Party = GATEWAY
    scac: str = "DEMO"
    first_isa13: int = 1
    first_set: int = 1  # numbers the shipments: files meant to differ need disjoint ranges
    line_break: bool = True
    usage: str = "P"  # ISA15: production data (test data never reaches production systems)


def iter_chunks(
    kind: SetKind, sets: int, layout: Layout = Layout(), counts: list[int] | None = None
) -> Iterator[bytes]:
    """The file as byte chunks of about `_BATCH` sets; `counts` gets [segments, interchanges]."""
    if sets < 1:
        raise ValueError("sets must be at least 1")
    per = layout.per_interchange if layout.per_interchange > 0 else sets
    sender, receiver, scac = layout.sender, layout.receiver, layout.scac
    term = "~\n" if layout.line_break else "~"
    body = BODIES[kind]
    fid = _FUNCTIONAL_ID[kind]
    segments = 0
    interchanges = 0
    n = 0
    offset = layout.first_set - 1
    while n < sets:
        isa13 = layout.first_isa13 + interchanges
        gs06 = isa13 % 1_000_000_000
        in_this = min(per, sets - n)
        head = [
            _isa(sender, receiver, isa13, layout.usage),
            f"GS*{fid}*{sender.gs_id}*{receiver.gs_id}*20240105*0900*{gs06}*X*004010",
        ]
        parts: list[str] = [term.join(head), term]
        segments += 2
        for i in range(1, in_this + 1):
            n += 1
            st02 = f"{i:09d}"
            segs = body(offset + n, scac)
            count = len(segs) + 2
            segments += count
            parts.append(f"ST*{kind}*{st02}{term}")
            parts.append(term.join(segs))
            parts.append(f"{term}SE*{count}*{st02}{term}")
            if i % _BATCH == 0:
                yield "".join(parts).encode()
                parts = []
        parts.append(f"GE*{in_this}*{gs06}{term}IEA*1*{isa13:09d}{term}")
        segments += 2
        interchanges += 1
        yield "".join(parts).encode()
    if counts is not None:
        counts[:] = [segments, interchanges]


def write_x12(
    out: BinaryIO, kind: SetKind, sets: int, layout: Layout = Layout()
) -> tuple[int, int, int]:
    """Stream a file of `sets` sets into `out`; returns (segments, interchanges, bytes)."""
    counts: list[int] = []
    size = 0
    for chunk in iter_chunks(kind, sets, layout, counts):
        out.write(chunk)
        size += len(chunk)
    return counts[0], counts[1], size


def generate(path: Path, kind: SetKind, sets: int, layout: Layout = Layout()) -> Generated:
    """Write the file at `path` (parent folders created) and say what is in it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb", buffering=1 << 20) as fh:
        segments, interchanges, size = write_x12(fh, kind, sets, layout)
    return Generated(str(path), kind, sets, interchanges, segments, size)


def sets_for_bytes(kind: SetKind, target: int, layout: Layout = Layout()) -> int:
    """How many sets make a file of about `target` bytes (measured on a 2,000-set sample)."""
    sample = 2000
    size = sum(len(c) for c in iter_chunks(kind, sample, layout))
    return max(1, round(target * sample / size))


def parse_size(text: str) -> int:
    """`1G`, `200M`, `64k` or a plain byte count."""
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    t = text.strip().upper().removesuffix("B")
    if t and t[-1] in units:
        return int(float(t[:-1]) * units[t[-1]])
    return int(t)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("out", type=Path, help="file to write")
    p.add_argument("--set", dest="kind", choices=KINDS, default="214")
    size = p.add_mutually_exclusive_group(required=True)
    size.add_argument("--sets", type=int, help="number of transaction sets")
    size.add_argument("--bytes", dest="size", help="approximate file size, e.g. 1G")
    p.add_argument("--per-interchange", type=int, default=0, help="sets per ISA (0: all in one)")
    p.add_argument("--sender-qualifier", default=DEMO_CARRIER.qualifier)
    p.add_argument("--sender-id", default=DEMO_CARRIER.isa_id)
    p.add_argument("--scac", default="DEMO")
    p.add_argument("--first-isa13", type=int, default=1)
    p.add_argument("--first-set", type=int, default=1, help="number of the first shipment")
    p.add_argument("--no-line-break", action="store_true", help="no newline after each ~")
    p.add_argument("--usage", choices=("P", "T"), default="P", help="ISA15")
    a = p.parse_args(argv)
    layout = Layout(
        per_interchange=a.per_interchange,
        sender=Party(a.sender_qualifier, a.sender_id, a.sender_id),
        scac=a.scac,
        first_isa13=a.first_isa13,
        first_set=a.first_set,
        line_break=not a.no_line_break,
        usage=a.usage,
    )
    sets = a.sets if a.sets is not None else sets_for_bytes(a.kind, parse_size(a.size), layout)
    g = generate(a.out, a.kind, sets, layout)
    sys.stdout.write(
        f"{g.path}: {g.kind} x {g.sets} sets, {g.interchanges} interchanges, "
        f"{g.segments} segments, {g.bytes} bytes\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
