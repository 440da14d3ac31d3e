"""Per-partner validation levels: which classes of finding a partner's profile has `note`d.

The standard's default for every finding is to reject. An onboarding team can set a class to
`note` for one partner (as Sterling and Cleo let them): the finding is then a WARNING, so the
set is accepted with errors (AK5/IK5 E, the detail in AK3/AK4) or the interchange gets TA1 E,
the canonical document is produced and operations see the finding in the store.

Only findings that leave the data the mapping reads intact carry a class. These never do, so
no profile can demote them: a mandatory element or segment missing, an invalid date or time, a
non-numeric value in a numeric element, too many elements, components or repetitions, control
number mismatches (SE02, GE02, IEA02) and broken envelope structure.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Final

from gateway.x12.model import Issue, Severity

ELEMENT_LENGTH: Final = "element_length"  # AK4 4/5
ELEMENT_TYPE: Final = "element_type"  # AK4 6 on a text element (invalid character)
CODE_VALUE: Final = "code_value"  # AK4 7
SEGMENT_REPEAT: Final = "segment_repeat"  # AK3 4/5
UNEXPECTED_SEGMENT: Final = "unexpected_segment"  # AK3 1/2/6/7
ENVELOPE_COUNT: Final = "envelope_count"  # SE01 (AK5 4), GE01 (AK9 5), IEA01 (TA1 021)
SYNTAX_NOTE: Final = "syntax_note"  # AK4 2/10 from a segment's relational conditions
ISA_FIXED_LENGTH: Final = "isa_fixed_length"  # ISA02/04/06/08/13 not of their fixed width

FINDING_CLASSES: Final = (
    ELEMENT_LENGTH,
    ELEMENT_TYPE,
    CODE_VALUE,
    SEGMENT_REPEAT,
    UNEXPECTED_SEGMENT,
    ENVELOPE_COUNT,
    SYNTAX_NOTE,
    ISA_FIXED_LENGTH,
)

NOTED_SUFFIX: Final = " (noted per the partner's validation levels)"


def demote(issue: Issue, noted: frozenset[str]) -> Issue:
    """`issue` as a WARNING when its class is noted, else unchanged."""
    if issue.severity is not Severity.ERROR or not issue.finding or issue.finding not in noted:
        return issue
    return dataclasses.replace(
        issue, severity=Severity.WARNING, message=issue.message + NOTED_SUFFIX
    )


def demote_all(issues: Iterable[Issue], noted: frozenset[str]) -> list[Issue]:
    return [demote(i, noted) for i in issues]
