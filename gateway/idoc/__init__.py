"""SAP IDoc XML for the ERP side: hardened parsing, reading, control records, XSD-checked building.

Transforms (transforms/idoc_*.py) give IDocs their business meaning; this package knows only the
IDoc XML format and SAP's field rules.
"""

from gateway.idoc.builder import DraftSegment, IdocBuilder, RenderedIdoc
from gateway.idoc.control import IdocPartnerConfig, control_record
from gateway.idoc.errors import (
    IdocError,
    IdocFieldError,
    IdocMappingError,
    IdocSchemaError,
    IdocStructureError,
    UnsafeXmlError,
    XmlSyntaxError,
)
from gateway.idoc.reader import Idoc, IdocSegment, read_idocs
from gateway.idoc.safe_xml import DEFAULT_MAX_BYTES, parse_untrusted_xml
from gateway.idoc.schema import IDOC_TYPES, IdocSchema, load_schema

__all__ = [
    "DEFAULT_MAX_BYTES",
    "IDOC_TYPES",
    "DraftSegment",
    "Idoc",
    "IdocBuilder",
    "IdocError",
    "IdocFieldError",
    "IdocMappingError",
    "IdocPartnerConfig",
    "IdocSchema",
    "IdocSchemaError",
    "IdocSegment",
    "IdocStructureError",
    "RenderedIdoc",
    "UnsafeXmlError",
    "XmlSyntaxError",
    "control_record",
    "load_schema",
    "parse_untrusted_xml",
    "read_idocs",
]
