"""Drives one pass over an X12 stream: envelope events, validation and acknowledgements.

Both `gateway validate` and the inbound pipeline use it, so the acknowledgement a user sees on
the command line is the one a partner gets. Policy, pinned by tests:

- an interchange with an envelope ERROR (TA1 note code) is rejected whole: a TA1 R is sent and
  no functional acknowledgement, and none of its sets may be used;
- a group with a group-level error (GE count, GE02, missing GE) is rejected (AK9 R);
- otherwise each set stands alone: a rejected set is reported (AK5 R), the others are
  accepted, and the group is partially accepted (AK9 P).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO, Literal

from gateway.x12.acks import AckKind, FunctionalAck, FunctionalAckBuilder, default_ack_kind
from gateway.x12.envelope import (
    GroupEnd,
    GroupStart,
    InterchangeEnd,
    InterchangeStart,
    TechnicalAck,
    read_events,
)
from gateway.x12.levels import demote_all
from gateway.x12.model import (
    AckCode,
    GroupHeader,
    InterchangeHeader,
    Level,
    SetResult,
    Severity,
    TransactionSet,
)
from gateway.x12.reader import TrailingData
from gateway.x12.validator import Validator, default_validator

Ta1Policy = Literal["always", "on-request", "never"]


@dataclass(slots=True)
class CheckedSet:
    """A transaction set with its validation outcome and the envelopes around it."""

    ts: TransactionSet
    result: SetResult
    interchange: InterchangeHeader
    group: GroupHeader

    @property
    def accepted(self) -> bool:
        return self.result.code in (AckCode.ACCEPTED, AckCode.ACCEPTED_WITH_ERRORS)


@dataclass(slots=True)
class CheckedGroup:
    header: GroupHeader
    end: GroupEnd
    ack: FunctionalAck | None  # None when the partner gets no functional acknowledgement

    @property
    def rejected(self) -> bool:
        return any(i.level is Level.GROUP and i.severity is Severity.ERROR for i in self.end.issues)


@dataclass(slots=True)
class CheckedInterchange:
    header: InterchangeHeader
    end: InterchangeEnd
    groups: list[CheckedGroup] = field(default_factory=list)
    ta1_requested: bool = False  # the policy says a TA1 goes back

    @property
    def rejected(self) -> bool:
        return any(
            i.level is Level.INTERCHANGE and i.severity is Severity.ERROR for i in self.end.issues
        )

    @property
    def acks(self) -> list[FunctionalAck]:
        """The functional acks to send: none for a rejected interchange (the TA1 says it)."""
        if self.rejected:
            return []
        return [g.ack for g in self.groups if g.ack is not None]


CheckEvent = (
    InterchangeStart
    | GroupStart
    | CheckedSet
    | CheckedGroup
    | TechnicalAck
    | CheckedInterchange
    | TrailingData
)

AckKindFor = Callable[[InterchangeHeader, GroupHeader], AckKind | None]


def standard_ack_kind(_interchange: InterchangeHeader, group: GroupHeader) -> AckKind | None:
    """No profile: a 997 for every group (in the group's version), none for acknowledgements."""
    if group.functional_id == "FA":
        return None  # acknowledgements are never acknowledged
    return default_ack_kind(group.version)


def fixed_ack_kind(kind: AckKind) -> AckKindFor:
    def choose(_interchange: InterchangeHeader, group: GroupHeader) -> AckKind | None:
        return None if group.functional_id == "FA" else kind

    return choose


def check_stream(
    stream: BinaryIO,
    *,
    validator: Validator | None = None,
    ack_kind_for: AckKindFor = standard_ack_kind,
    ta1_policy: Ta1Policy | Callable[[InterchangeHeader], Ta1Policy] = "on-request",
    noted: frozenset[str] = frozenset(),
    encoding: str = "utf-8",
) -> Iterator[CheckEvent]:
    """Validate every set as it arrives and close each group with its acknowledgement.

    `noted`: the finding classes the partner's profile notes instead of rejecting
    (gateway.x12.levels); `encoding`: how the partner's bytes are decoded.

    Raises only `gateway.x12.errors.X12Error` subclasses (for input that is not X12 at all or
    whose ISA cannot give delimiters); everything else is reported in the events.
    """
    v = validator or default_validator()
    state = _CheckState()
    try:
        yield from _check(stream, v, ack_kind_for, ta1_policy, state, noted, encoding)
    finally:
        # a consumer that stops early (or fails) must not leak an open group's spool
        if state.builder is not None:
            state.builder.close()
        for ack in state.finished:
            ack.close()


@dataclass(slots=True)
class _CheckState:
    builder: FunctionalAckBuilder | None = None  # the open group's
    finished: list[FunctionalAck] = field(default_factory=list)  # the open interchange's


def _check(
    stream: BinaryIO,
    v: Validator,
    ack_kind_for: AckKindFor,
    ta1_policy: Ta1Policy | Callable[[InterchangeHeader], Ta1Policy],
    state: _CheckState,
    noted: frozenset[str],
    encoding: str,
) -> Iterator[CheckEvent]:
    interchange: InterchangeHeader | None = None
    checked: CheckedInterchange | None = None
    group: GroupHeader | None = None
    builder: FunctionalAckBuilder | None = None
    version_check = None
    groups: list[CheckedGroup] = []
    for event in read_events(stream, encoding=encoding):
        if isinstance(event, TransactionSet):
            assert interchange is not None
            g = group or _ORPHAN_GROUP
            if version_check is None:
                version_check = v.for_version(g.version)
            result = version_check.validate(event, interchange.delimiters, noted)
            if builder is not None:
                builder.add(result)
            yield CheckedSet(event, result, interchange, g)
        elif isinstance(event, GroupStart):
            group = event.header
            version_check = v.for_version(group.version)
            kind = ack_kind_for(interchange, group) if interchange is not None else None
            builder = FunctionalAckBuilder(kind, group) if kind is not None else None
            state.builder = builder
            yield event
        elif isinstance(event, GroupEnd):
            if noted:
                event.issues = demote_all(event.issues, noted)
            ack = builder.finish(event) if builder is not None else None
            if ack is not None:
                state.finished.append(ack)
            done = CheckedGroup(event.header, event, ack)
            groups.append(done)
            group, builder, version_check = None, None, None
            state.builder = None
            yield done
        elif isinstance(event, InterchangeStart):
            interchange = event.header
            groups = []
            yield event
        elif isinstance(event, InterchangeEnd):
            if noted:
                event.issues = demote_all(event.issues, noted)
            policy = ta1_policy(event.header) if callable(ta1_policy) else ta1_policy
            checked = CheckedInterchange(event.header, event, groups)
            checked.ta1_requested = policy == "always" or (
                policy == "on-request" and (event.header.ack_requested or checked.rejected)
            )
            interchange = None
            yield checked
            state.finished = []  # the consumer has written (or dropped) them
        else:
            yield event


_ORPHAN_GROUP = GroupHeader("", "", "", "", "", "", "", "")


def summarise(result: SetResult) -> list[dict[str, object]]:
    """The issues of a set as plain dicts (for the store and `--json`)."""
    return [
        {
            "level": i.level.value,
            "severity": i.severity.value,
            "code": i.code,
            "message": i.message,
            "segment": i.segment_id,
            "position": i.segment_position,
            "element": i.element_position,
            "component": i.component_position,
            "value": i.bad_value,
        }
        for i in result.issues
    ]
