"""Baseline: the leanest Python X12 pass, `bytes.split` plus envelope checks, nothing else.

The yardstick for the gateway's reader + validator: segments and elements split, ST/SE counts and
control numbers, GS/GE and ISA/IEA counts and control numbers checked. Delimiters come from the
fixed-width ISA (bytes 4 and 106): the baseline may assume what real files do not guarantee.
No schema, no acknowledgement, no tolerance of wrapped lines or odd terminators.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

_ENVELOPE = frozenset((b"ST", b"SE", b"GS", b"GE", b"ISA", b"IEA"))


@dataclass(slots=True)
class Scan:
    segments: int = 0
    sets: int = 0
    groups: int = 0
    interchanges: int = 0
    envelope_errors: int = 0


def scan(path: Path, chunk_size: int = 1 << 20) -> Scan:
    """Tokenize `path` in chunks and check its envelopes; count what was found."""
    out = Scan()
    with path.open("rb") as fh:
        buf = fh.read(chunk_size)
        start = buf.find(b"ISA")
        if start < 0 or len(buf) < start + 106:
            raise ValueError(f"{path}: no fixed-width ISA at the start")
        el = buf[start + 3 : start + 4]
        term = buf[start + 105 : start + 106]
        segments = sets = groups = interchanges = errors = 0
        set_segments = group_sets = group_count = 0
        st02 = gs06 = isa13 = b""
        eof = False
        while True:
            pieces = buf.split(term)
            buf = b"" if eof else pieces.pop()
            for raw in pieces:
                seg = raw.strip()
                if not seg:
                    continue
                segments += 1
                set_segments += 1
                els = seg.split(el)
                tag = els[0]
                if tag not in _ENVELOPE:
                    continue
                if tag == b"ST":
                    set_segments = 1
                    st02 = els[2]
                    sets += 1
                    group_sets += 1
                elif tag == b"SE":
                    if int(els[1]) != set_segments or els[2] != st02:
                        errors += 1
                elif tag == b"GS":
                    gs06 = els[6]
                    group_sets = 0
                    groups += 1
                    group_count += 1
                elif tag == b"GE":
                    if int(els[1]) != group_sets or els[2] != gs06:
                        errors += 1
                elif tag == b"ISA":
                    isa13 = els[13]
                    group_count = 0
                    interchanges += 1
                elif int(els[1]) != group_count or els[2] != isa13:  # IEA
                    errors += 1
            if eof:
                break
            chunk = fh.read(chunk_size)
            if not chunk:
                eof = True
            buf += chunk
    out.segments, out.sets, out.groups = segments, sets, groups
    out.interchanges, out.envelope_errors = interchanges, errors
    return out


if __name__ == "__main__":
    result = scan(Path(sys.argv[1]))
    sys.stdout.write(f"{result}\n")
