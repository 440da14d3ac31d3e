"""The IDoc package's exception tree: every failure to read or write IDoc XML is one of these.

IdocError                     anything this package raises
├── UnsafeXmlError            the input is refused before or while parsing: too big, a DOCTYPE,
│                             entity declarations (XXE, billion laughs), nesting beyond the limit
├── XmlSyntaxError            the bytes are not well-formed XML (or not decodable)
├── IdocStructureError        well-formed XML that is not an IDoc (no IDOC, no EDI_DC40, ...)
├── IdocFieldError            an outbound value that does not fit its SAP field (refused, never cut)
├── IdocSchemaError           a rendered IDoc does not validate against the project XSD
└── IdocMappingError          an inbound IDoc lacks what a canonical object needs
"""

from __future__ import annotations


class IdocError(Exception):
    """Base of every error the IDoc package raises."""


class UnsafeXmlError(IdocError):
    """The XML was refused for safety (size cap, DOCTYPE, entities, depth); nothing was resolved."""


class XmlSyntaxError(IdocError):
    """The input is not well-formed XML. `line` is 0 when libxml2 gave no position."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.line = line


class IdocStructureError(IdocError):
    """Well-formed XML whose shape is not IDoc XML (root > IDOC > EDI_DC40 + segments)."""


class IdocFieldError(IdocError):
    """A value is too long or malformed for its SAP field; `segment` and `field` locate it."""

    def __init__(self, message: str, segment: str = "", field: str = "") -> None:
        super().__init__(message)
        self.segment = segment
        self.field = field


class IdocSchemaError(IdocError):
    """A rendered IDoc failed XSD validation; `problems` lists every libxml2 message."""

    def __init__(self, message: str, problems: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems


class IdocMappingError(IdocError):
    """An inbound IDoc cannot become a canonical object (a mandatory value is missing)."""
