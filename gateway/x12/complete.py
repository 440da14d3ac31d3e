"""Is a received file a whole interchange? A cheap look at its head and tail, no parsing.

Transports that cannot see a writer close the file (SFTP pickup) ask this after the copy: a
file that starts with ISA must end with an IEA segment. Anything else is not X12 and not this
module's business (True).
"""

from __future__ import annotations

import os
from pathlib import Path

_ISA_LENGTH = 106  # fixed-width ISA including its segment terminator
_TAIL = 512
_WHITESPACE = b" \t\r\n"


def file_complete(path: Path) -> bool:
    with path.open("rb") as fh:
        head = fh.read(_ISA_LENGTH + 64)
        start = len(head) - len(head.lstrip(b"\xef\xbb\xbf" + _WHITESPACE))
        head = head[start:]
        if not head.startswith(b"ISA"):
            return True
        if len(head) < _ISA_LENGTH:
            return False
        element, terminator = head[3:4], head[_ISA_LENGTH - 1 : _ISA_LENGTH]
        size = fh.seek(0, os.SEEK_END)
        fh.seek(max(0, size - _TAIL))
        tail = fh.read()
    return ends_with_iea(tail, element, terminator)


def ends_with_iea(tail: bytes, element: bytes, terminator: bytes) -> bool:
    """Whether the last segment of `tail` is an IEA (trailing terminator and whitespace allowed)."""
    tail = tail.rstrip(_WHITESPACE)
    if terminator not in _WHITESPACE:
        tail = tail.rstrip(terminator).rstrip(_WHITESPACE)
    last = tail.rsplit(terminator, 1)[-1].lstrip(_WHITESPACE).split(element)
    # IEA*<groups>*<ISA13>: a cut inside the IEA leaves a short control number
    return len(last) >= 3 and last[0] == b"IEA" and len(last[2].strip()) == 9
