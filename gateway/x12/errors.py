"""The X12 package's exception tree. Validation problems are *values* (`Issue`), not exceptions.

X12Error                      anything this package raises
├── NotX12Error               the bytes are not an X12 interchange at all (no ISA, binary, empty)
├── InterchangeHeaderError    an ISA that cannot be trusted to give delimiters (carries a TA1 code)
├── X12EncodingError          (kept for callers; the reader no longer raises it: undecodable
│                             bytes are reported at their element, AK4 6)
├── TruncatedInterchangeError the stream ended inside a segment or envelope
└── DelimiterInDataError      the writer was asked to write a value containing a delimiter
"""

from __future__ import annotations


class X12Error(Exception):
    """Base of every error the X12 package raises."""


class NotX12Error(X12Error):
    """The input does not start with an ISA segment (after an optional BOM and white space)."""


class InterchangeHeaderError(X12Error):
    """The ISA is malformed; `ta1_code` is the TA105 note code that describes it."""

    def __init__(self, message: str, ta1_code: str = "024") -> None:
        super().__init__(message)
        self.ta1_code = ta1_code


class X12EncodingError(X12Error):
    """Undecodable bytes. Not raised by the reader any more: it keeps such a byte as a lone
    surrogate and the validator reports it at its element (issue 10)."""


class TruncatedInterchangeError(X12Error):
    """End of input inside an interchange (no IEA)."""


class DelimiterInDataError(X12Error):
    """An outbound value contains one of the interchange's delimiters (EDI injection guard)."""
