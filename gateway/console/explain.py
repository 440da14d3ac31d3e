# ruff: noqa: E501  (a table of sentences: one per line reads better than wrapped fragments)
"""Plain-language explanations of X12 acknowledgement codes, with the likely fix.

Keyed by the level a finding sits at (see `gateway.x12.model.Level`): the TA1-05 note code,
AK9-05 (group), AK5/IK5 (set), AK3-04/IK3-04 (segment), AK4-03/IK4-03 (element). The code
meanings are X12's (X12.5/X12.6, 997 and 999); the wording and the fixes are ours, written for
operations staff talking to a partner, not for developers.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Explanation:
    segment: str  # which acknowledgement segment carries it: "AK3/IK3", "TA1", ...
    code: str
    meaning: str  # what the code says, in plain words
    fix: str  # what usually resolves it


_T = tuple[str, str, str]

SEGMENT: tuple[_T, ...] = (
    (
        "1",
        "The segment name is not one X12 knows.",
        "A typo or a private segment: ask the partner to send only the segments of the agreed guide.",
    ),
    (
        "2",
        "This segment is valid X12 but not expected at this place in this document.",
        "Compare the partner's segment order with the implementation guide; usually a segment of another loop was sent here.",
    ),
    (
        "3",
        "A segment the document must contain is missing.",
        "Ask the partner to add the mandatory segment (the guide lists it as M / required).",
    ),
    (
        "4",
        "A loop repeats more times than the standard allows.",
        "Split the data over several transaction sets or drop the extra repetitions.",
    ),
    (
        "5",
        "A segment repeats more times than allowed.",
        "Send the segment only as often as the guide allows; move extra data to other segments.",
    ),
    (
        "6",
        "The segment does not belong to this transaction set at all.",
        "The partner mixed document types or uses another version's segment: check the GS08 version and the guide.",
    ),
    (
        "7",
        "The segment is out of order.",
        "Reorder the segments as the implementation guide lists them.",
    ),
    (
        "8",
        "The segment itself is fine, but one of its elements is wrong (see the element finding).",
        "Fix the element reported in the AK4/IK4 finding on the same segment.",
    ),
    (
        "I4",
        "A segment the implementation guide marks 'not used' was sent.",
        "Remove the segment; the partner's map sends more than the guide allows.",
    ),
    (
        "I6",
        "A segment required by the guide under a condition is missing.",
        "Check the condition in the guide (e.g. 'required when ...') and send the segment.",
    ),
    (
        "I7",
        "A loop occurs fewer times than the guide requires.",
        "Send the loop at least the minimum number of times.",
    ),
    (
        "I8",
        "A segment occurs fewer times than the guide requires.",
        "Send the segment at least the minimum number of times.",
    ),
    (
        "I9",
        "A segment that the guide says must not be sent in this situation was sent.",
        "Drop the segment when the guide's condition is not met.",
    ),
)

ELEMENT: tuple[_T, ...] = (
    (
        "1",
        "A mandatory element is empty.",
        "Fill the element; the partner's source data or map leaves it blank.",
    ),
    (
        "2",
        "An element that becomes required because of another element is empty.",
        "When the paired element is sent, this one must be sent too (a syntax note such as P0102).",
    ),
    (
        "3",
        "The segment has more elements than the standard defines.",
        "Remove trailing elements; an extra separator is a common cause.",
    ),
    (
        "4",
        "The value is shorter than the minimum length.",
        "Pad or correct the value (e.g. dates must be CCYYMMDD, identifiers have fixed minimums).",
    ),
    (
        "5",
        "The value is longer than the maximum length.",
        "Shorten the value, or agree a different element for long references.",
    ),
    (
        "6",
        "The value has a character that is not allowed (often a delimiter or non-ASCII).",
        "Remove the character or switch delimiters in the profile; check for *, ~ or > inside text.",
    ),
    (
        "7",
        "The code is not one of the allowed values for this element.",
        "Use a code from the element's code list; if the partner insists, add a code map to the profile.",
    ),
    (
        "8",
        "The date is not a valid date.",
        "Send CCYYMMDD (or YYMMDD where the element allows) with a real calendar date.",
    ),
    ("9", "The time is not a valid time.", "Send HHMM (24 hour clock), optionally with seconds."),
    (
        "10",
        "Two elements that must not both be present were both sent.",
        "Send only one of the pair named by the syntax note (an 'E' exclusion).",
    ),
    ("12", "The element repeats too many times.", "Send fewer repetitions."),
    (
        "13",
        "The composite has too many components.",
        "Remove extra component separators (the ISA16 character).",
    ),
    (
        "I6",
        "The code is valid X12 but not used by this implementation guide.",
        "Use one of the codes the guide allows for this element.",
    ),
    (
        "I9",
        "An element the guide requires under a condition is missing.",
        "Check the guide's condition and send the element.",
    ),
    ("I10", "An element the guide marks 'not used' was sent.", "Leave the element empty."),
    (
        "I11",
        "The element repeats fewer times than the guide requires.",
        "Send the minimum number of repetitions.",
    ),
    (
        "I12",
        "The value does not match the pattern the guide requires.",
        "Correct the format (e.g. a ZIP code, a phone number) to the guide's pattern.",
    ),
    (
        "I13",
        "An element the guide says must not be sent in this situation was sent.",
        "Drop the element when the guide's condition is not met.",
    ),
)

TRANSACTION: tuple[_T, ...] = (
    (
        "1",
        "We do not accept this transaction set type from this partner.",
        "Agree the document types; add the set to the profile's documents.inbound if it is wanted.",
    ),
    (
        "2",
        "The SE trailer is missing.",
        "The file is cut off or the partner's map does not close the set: ask for a resend.",
    ),
    (
        "3",
        "The control number in ST02 and SE02 differ.",
        "The partner's map must write the same number in ST02 and SE02.",
    ),
    (
        "4",
        "SE01 (the segment count) does not match the segments actually sent.",
        "The partner must count every segment from ST to SE inclusive.",
    ),
    (
        "5",
        "One or more segments of the set are in error (see the segment findings).",
        "Fix the segment and element findings listed for this set.",
    ),
    (
        "6",
        "The transaction set identifier (ST01) is missing or invalid.",
        "ST01 must be the document number, e.g. 214.",
    ),
    (
        "7",
        "The transaction set control number (ST02) is missing or invalid.",
        "ST02 must be 4 to 9 digits, unique within the group.",
    ),
    ("18", "The transaction set is not inside a functional group.", "Wrap the set in GS/GE."),
    (
        "19",
        "The implementation convention reference (ST03) is invalid.",
        "Send the ST03 value of the agreed guide, or none.",
    ),
    (
        "23",
        "Two sets in the group share a control number.",
        "Each ST02 must be unique within its group.",
    ),
    (
        "I5",
        "One or more segments break the implementation guide.",
        "Fix the findings listed for this set.",
    ),
    (
        "I6",
        "The implementation convention is not supported.",
        "Agree the guide version (ST03) with the partner.",
    ),
)

GROUP: tuple[_T, ...] = (
    (
        "1",
        "We do not accept this functional group (GS01) from this partner.",
        "Agree the document types; check the GS01 code of the documents sent.",
    ),
    (
        "2",
        "The group's version (GS08) is not supported.",
        "Send the agreed version, e.g. 004010; or update the profile's x12.version.",
    ),
    (
        "3",
        "The GE trailer is missing.",
        "The file is cut off or the map does not close the group: ask for a resend.",
    ),
    (
        "4",
        "The group control number in GS06 and GE02 differ.",
        "The partner's map must write the same number in GS06 and GE02.",
    ),
    (
        "5",
        "GE01 does not match the number of sets in the group.",
        "GE01 must count the ST/SE sets of the group.",
    ),
    ("6", "The group control number violates the syntax.", "GS06 must be 1 to 9 digits."),
    (
        "19",
        "Two groups in the interchange share a control number.",
        "Each GS06 must be unique within the interchange.",
    ),
)

INTERCHANGE: tuple[_T, ...] = (
    ("000", "No error.", "Nothing to do."),
    (
        "001",
        "ISA13 and IEA02 control numbers differ.",
        "The partner's translator must write the same number in ISA13 and IEA02.",
    ),
    (
        "002",
        "The control standard (ISA11) is not supported.",
        "Use U (or the repetition separator in 00402 and later).",
    ),
    (
        "003",
        "This version of the envelope (ISA12) is not supported.",
        "Agree the ISA12 version, e.g. 00401.",
    ),
    (
        "004",
        "The segment terminator is invalid.",
        "Use one terminator throughout; check the profile's delimiters.",
    ),
    (
        "005",
        "The sender's ID qualifier (ISA05) is invalid.",
        "Use a valid qualifier (e.g. 02 SCAC, ZZ mutually defined) matching the profile.",
    ),
    (
        "006",
        "The sender's ID (ISA06) is invalid.",
        "The partner's ISA06 must match the profile's x12.isa_id.",
    ),
    (
        "007",
        "The receiver's ID qualifier (ISA07) is invalid.",
        "Use the qualifier we gave the partner.",
    ),
    (
        "008",
        "The receiver's ID (ISA08) is invalid.",
        "The partner must address our ISA id exactly (padding included).",
    ),
    (
        "009",
        "The receiver ID is unknown to us.",
        "The file was meant for someone else, or our ID changed: check ISA08.",
    ),
    ("010", "The authorization qualifier (ISA01) is invalid.", "Send 00 unless agreed otherwise."),
    (
        "011",
        "The authorization information (ISA02) is invalid.",
        "Send spaces unless agreed otherwise.",
    ),
    ("012", "The security qualifier (ISA03) is invalid.", "Send 00 unless agreed otherwise."),
    ("013", "The security information (ISA04) is invalid.", "Send spaces unless agreed otherwise."),
    ("014", "The interchange date (ISA09) is invalid.", "Send YYMMDD."),
    ("015", "The interchange time (ISA10) is invalid.", "Send HHMM."),
    ("016", "The standards identifier is invalid.", "Check ISA11."),
    ("017", "The version number (ISA12) is invalid.", "Send a known version such as 00401."),
    ("018", "The interchange control number (ISA13) is invalid.", "ISA13 must be 9 digits."),
    ("019", "The acknowledgment requested flag (ISA14) is invalid.", "Send 0 or 1."),
    (
        "020",
        "The test indicator (ISA15) is invalid, or does not match the partner's environment.",
        "Send P in production and T in test, matching the profile's environment.",
    ),
    ("021", "IEA01 does not match the number of groups.", "IEA01 must count the GS/GE groups."),
    (
        "022",
        "The envelope structure is invalid.",
        "The file is not a well-formed ISA..IEA: ask for a resend from the partner's translator.",
    ),
    (
        "023",
        "The file ended before the interchange did.",
        "The transfer was cut off: ask for a resend.",
    ),
    ("024", "The interchange content is invalid (e.g. a broken GS).", "Fix the group headers."),
    (
        "025",
        "The interchange control number was already used.",
        "The partner re-sent an old file or reused a number: confirm whether it is a duplicate.",
    ),
    (
        "026",
        "The element separator is invalid.",
        "Pick a separator that never appears in the data.",
    ),
    ("027", "The component separator is invalid.", "ISA16 must differ from the other delimiters."),
)

_TABLES: dict[str, tuple[str, tuple[_T, ...]]] = {
    "segment": ("AK3/IK3", SEGMENT),
    "element": ("AK4/IK4", ELEMENT),
    "transaction": ("AK5/IK5", TRANSACTION),
    "group": ("AK9", GROUP),
    "interchange": ("TA1", INTERCHANGE),
}

EXPLANATIONS: dict[tuple[str, str], Explanation] = {
    (level, code): Explanation(segment, code, meaning, fix)
    for level, (segment, rows) in _TABLES.items()
    for code, meaning, fix in rows
}

MAPPING_FIX = (
    "The set is valid X12 but could not be translated; check the message and the partner's "
    "code maps, then replay the message once the profile is fixed."
)


def explain(level: str, code: str | None) -> Explanation | None:
    """The explanation of a finding, or None for a code we have no words for."""
    if level == "mapping":
        return Explanation("-", "", "The document could not be translated.", MAPPING_FIX)
    if not code:
        return None
    key = (level, code.lstrip("0") or "0") if level != "interchange" else (level, code.zfill(3))
    return EXPLANATIONS.get(key) or EXPLANATIONS.get((level, code))
