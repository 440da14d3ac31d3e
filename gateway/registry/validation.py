"""The `validation` section of a partner profile: per class of X12 finding, `reject` (the
standard's default) or `note` (accepted: the 997/999 says E with the detail, or the TA1 E; the
canonical document is produced; operations see the finding in the store).

    validation:
      code_value: note        # a carrier that sends L1-08 codes outside the standard list
      isa_fixed_length: note  # a carrier whose ISA is not padded

Findings that would corrupt data the mapping needs have no class and stay errors whatever the
profile says (see gateway/x12/levels.py). `encoding` says how the partner's bytes are read: UTF-8
(the default: ASCII and the extended character sets), or Latin-1 / Windows-1252 for carriers
whose systems write those; a byte the encoding cannot read is reported at its element (AK4 6).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from gateway.x12 import levels

Level = Literal["reject", "note"]
Encoding = Literal["utf-8", "latin-1", "cp1252"]


class ValidationPolicy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    element_length: Level = "reject"
    element_type: Level = "reject"
    code_value: Level = "reject"
    segment_repeat: Level = "reject"
    unexpected_segment: Level = "reject"
    envelope_count: Level = "reject"
    syntax_note: Level = "reject"
    isa_fixed_length: Level = "reject"
    encoding: Encoding = "utf-8"

    def noted(self) -> frozenset[str]:
        """The finding classes this partner's profile notes instead of rejecting."""
        return frozenset(c for c in levels.FINDING_CLASSES if getattr(self, c) == "note")
