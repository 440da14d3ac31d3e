"""Compiled transaction-set validator: schemas become state tables and regexes once; then each
segment costs a few dict lookups and one regex call.

Loop structure: each segment slot of a set's tree is a state; the transition for (state, segment
id) is searched once (current loop forward, a new iteration of the loop, then outwards) and kept,
together with the mandatory segments it skips. Elements: per segment id one regex over the joined
segment accepts a valid segment in one C call; only a segment it rejects is examined element by
element, which finds every error with its location and AK3/AK4 (IK3/IK4) code.

Leniency policy (real files, see shared/samples/MANIFEST.md), each a WARNING: the set is then
"accepted with errors" (AK5/IK5 E) and the finding is reported in AK3/AK4:
  - a code outside a list known to be partial (B2A-01 353, B2-06 146, L1-08/L3-08 150 ...): 7;
  - an N2 amount written with an explicit decimal point (`L3*****1958.00`, FedEx): 6, the value
    is unambiguous;
  - a component or repetition separator inside a simple element: 6;
  - trailing empty elements past the last defined element: 3;
  - a transaction set control number (329) under 4 characters (`ST*214*001`): 4.
Silently accepted: N4 country `USA`, 9-digit ZIPs, placeholder dates like 00010101 (a valid
calendar date), an element holding one space, MS1 decimal-degree coordinates, any ID value whose
element has no code list here. Informational (Level.GROUP, severity WARNING, empty code: not in
the ack, no effect on the set's code): a GS08 version validated against the nearest map
(004030 -> 004010, 004010VICS -> 004010). Everything else is an ERROR and rejects the set
(AK5 R with code 5).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

from gateway.x12 import levels, schema
from gateway.x12.model import (
    AckCode,
    Delimiters,
    Issue,
    Level,
    SetResult,
    Severity,
    TransactionSet,
)
from gateway.x12.schema import (
    CodeList,
    ElementDef,
    LoopDef,
    SegmentDef,
    SegmentUse,
    SetSchema,
    SyntaxNote,
)

ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO
_SEG, _ELEM, _SET = Level.SEGMENT, Level.ELEMENT, Level.TRANSACTION

# transition kinds
_FORWARD, _REPEAT, _ENTER, _ITER = 0, 1, 2, 3
# (kind, target state, loops to pop, skipped mandatory (tag, loop id) pairs, loop max)
Transition = tuple[int, int, int, tuple[tuple[str, str], ...], int]
_NO_WAY: Transition = (-1, -1, 0, (), 0)

_SEGMENT_ID = re.compile(r"[A-Z0-9]{2,3}")
# CCYYMMDD with month lengths and leap years; year 0000 does not exist
_DATE8 = (
    r"(?!0000)\d{4}(?:(?:0[13578]|1[02])(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)(?:0[1-9]|[12]\d|30)"
    r"|02(?:0[1-9]|1\d|2[0-8]))|(?:\d\d(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)0229"
)
_TIME_BY_LEN = {
    4: r"(?:[01]\d|2[0-3])[0-5]\d",
    6: r"(?:[01]\d|2[0-3])[0-5]\d[0-5]\d",
    7: r"(?:[01]\d|2[0-3])[0-5]\d[0-5]\d\d",
    8: r"(?:[01]\d|2[0-3])[0-5]\d[0-5]\d\d\d",
}
_INTEGER = re.compile(r"-?\d+")
_DECIMAL = re.compile(r"-?(?:\d+\.?\d*|\.\d+)")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# a byte the interchange's encoding could not decode (kept as a lone surrogate by the reader)
_UNDECODED = re.compile(r"[\udc80-\udcff]")  # raw: see gateway/x12/acks.py


# ------------------------------------------------------------------------------------------
# loop structure: slots, paths and transitions


@dataclass(frozen=True, slots=True)
class _Slot:
    use: SegmentUse
    loop_id: str  # innermost loop containing the slot ("" at the root)
    path: tuple[tuple[LoopDef, int], ...]  # (loop, member index) from the root down


class _LoopTable:
    """States and lazily searched transitions of one set's loop tree."""

    def __init__(self, root: LoopDef) -> None:
        self.slots: list[_Slot] = []
        self._slot_at: dict[tuple[int, int], int] = {}
        self._collect(root, ())
        self.max_use = [s.use.max_use for s in self.slots]
        self.loop_ids = [s.loop_id for s in self.slots]
        self.tags = frozenset(s.use.tag for s in self.slots)
        self.table: list[dict[str, Transition]] = [{} for _ in self.slots]
        self.overflow: list[dict[str, Transition]] = [{} for _ in self.slots]

    def _collect(self, loop: LoopDef, path: tuple[tuple[LoopDef, int], ...]) -> None:
        for i, member in enumerate(loop.members):
            here = (*path, (loop, i))
            if isinstance(member, SegmentUse):
                self._slot_at[(id(loop), i)] = len(self.slots)
                self.slots.append(_Slot(member, loop.loop_id, here))
            else:
                self._collect(member, here)

    def transition(self, state: int, tag: str, *, repeat: bool = True) -> Transition:
        """Where `tag` may go from `state`; `repeat=False` skips staying on the same slot."""
        if tag not in self.tags:
            return _NO_WAY  # not cached: the input chooses these tags
        cache = self.table[state] if repeat else self.overflow[state]
        found = cache.get(tag)
        if found is None:
            found = cache[tag] = self._search(state, tag, repeat)
        return found

    def _search(self, state: int, tag: str, repeat: bool) -> Transition:
        path = self.slots[state].path
        deepest = len(path) - 1
        missing: list[tuple[str, str]] = []
        for level in range(deepest, -1, -1):
            loop, idx = path[level]
            members = loop.members
            pop = deepest - level
            if repeat and level == deepest and idx > 0 and self.slots[state].use.tag == tag:
                return (_REPEAT, state, 0, (), 0)
            for j in range(idx + 1, len(members)):
                m = members[j]
                if isinstance(m, SegmentUse):
                    if m.tag == tag:
                        target = self._slot_at[(id(loop), j)]
                        return (_FORWARD, target, pop, tuple(missing), 0)
                    if m.required:
                        missing.append((m.tag, loop.loop_id))
                else:
                    if m.trigger.tag == tag:
                        target = self._slot_at[(id(m), 0)]
                        return (_ENTER, target, pop, tuple(missing), m.max_repeat)
                    if m.required:
                        missing.append((m.trigger.tag, m.loop_id))
            if level > 0 and loop.trigger.tag == tag:
                target = self._slot_at[(id(loop), 0)]
                return (_ITER, target, pop, tuple(missing), loop.max_repeat)
        return _NO_WAY


# ------------------------------------------------------------------------------------------
# element checks: one regex per segment for the fast path, a precise walk for the slow one


def _optional(pattern: str) -> str:
    """`pattern` or nothing. Written `(?:p|)`, not `(?:p)?`: the same strings, tried in the same
    order, but re compiles `?` on a group to a REPEAT with its own context and the alternation
    to a cheap BRANCH; a segment's dozen optional elements matched ~35% faster."""
    return f"(?:{pattern}|)"


def _trie(codes: list[str]) -> str:
    """A regex alternation of `codes` factored by prefix, so matching is one pass; the codes
    that end one character further are one character class (`X[1-6]`), not an alternation."""
    groups: dict[str, list[str]] = {}
    has_empty = False
    for code in codes:
        if code:
            groups.setdefault(code[0], []).append(code[1:])
        else:
            has_empty = True
    leaves = [ch for ch, rest in sorted(groups.items()) if rest == [""]]
    alts = [re.escape(ch) + _trie(rest) for ch, rest in sorted(groups.items()) if rest != [""]]
    if len(leaves) > 1:
        alts.insert(0, "[" + "".join(re.escape(ch) for ch in leaves) + "]")
    elif leaves:
        alts.insert(0, re.escape(leaves[0]))
    if not alts:
        return ""
    body = alts[0] if len(alts) == 1 and not has_empty else "(?:" + "|".join(alts) + ")"
    return _optional(body) if has_empty else body


def _simple_pattern(e: ElementDef, chars: str, lists: MappingProxyType[str, CodeList]) -> str:
    lo, hi = e.min_len, e.max_len
    if e.type == "ID" and e.code_list:
        return _trie(sorted(lists[e.code_list].codes))
    if e.type in ("AN", "ID"):
        return f"{chars}{{{lo},{hi}}}"
    if e.type == "DT":
        return f"(?:{_DATE8})" if lo <= 8 <= hi else "(?!)"
    if e.type == "TM":
        alts = [p for n, p in _TIME_BY_LEN.items() if lo <= n <= hi]
        return "(?:" + "|".join(alts) + ")" if alts else "(?!)"
    if e.type[0] == "N":  # N, N0..N9: digits, the decimal point implied
        return rf"-?\d{{{lo},{hi}}}"
    # R: digits only, or digits with one point; the lookahead bounds digits + point
    return rf"-?(?:\d{{{lo},{hi}}}|(?=[\d.]{{{lo + 1},{hi + 1}}}(?![\d.]))(?:\d+\.\d*|\.\d+))"


def _sequence(parts: list[tuple[str, bool]], sep: str) -> str:
    """`sep`-prefixed items where trailing optional items may be absent altogether."""
    tail = ""
    optional_tail = True
    for pattern, required in reversed(parts):
        body = sep + (pattern if required else _optional(pattern)) + tail
        if optional_tail and not required:
            tail = _optional(body)
        else:
            tail = body
            optional_tail = False
    return tail


def _note_condition(note: SyntaxNote) -> str:
    """One syntax note as regex conditionals on the element groups `e<pos>` (a group takes part
    only when its element holds a value): checked once at the end of the match, no rescans, so
    a segment that breaks a note fails the fast regex and the precise walk reports it."""
    first, *others = note.positions
    fail = "(?!)"

    def all_of(positions: list[int]) -> str:
        return "".join(f"(?(e{p})|{fail})" for p in positions)

    def none_of(positions: list[int]) -> str:
        return "".join(f"(?(e{p}){fail}|)" for p in positions)

    def any_of(positions: list[int]) -> str:
        out = fail
        for p in reversed(positions):
            out = f"(?(e{p})|{out})"
        return out

    if note.kind == "P":  # all or none
        return f"(?(e{first}){all_of(others)}|{none_of(others)})"
    if note.kind == "R":  # at least one
        return any_of(list(note.positions))
    if note.kind == "E":  # at most one
        pos = note.positions
        return "".join(f"(?(e{a}){none_of(list(pos[i + 1 :]))}|)" for i, a in enumerate(pos))
    if note.kind == "C":  # if the first, all the others
        return f"(?(e{first}){all_of(others)}|)"
    return f"(?(e{first}){any_of(others)}|)"  # L: if the first, at least one other


def _segment_pattern(
    defn: SegmentDef, d: Delimiters, lists: MappingProxyType[str, CodeList]
) -> str:
    grouped = frozenset(p for n in defn.notes for p in n.positions)
    conditions = "".join(_note_condition(n) for n in defn.notes)
    return _elements_pattern(defn, d, lists, grouped) + conditions


def _elements_pattern(
    defn: SegmentDef,
    d: Delimiters,
    lists: MappingProxyType[str, CodeList],
    grouped: frozenset[int] = frozenset(),
) -> str:
    sep = re.escape(d.element)
    if defn.elements is None:
        return re.escape(defn.tag) + f"(?:{sep}[^{sep}\\x00-\\x1f\\x7f]*)*"
    excluded = re.escape(d.element + d.component + (d.repetition or ""))
    chars = f"[^{excluded}\\x00-\\x1f\\x7f\\udc80-\\udcff]"
    comp = re.escape(d.component)
    parts: list[tuple[str, bool]] = []
    for pos, e in enumerate(defn.elements, start=1):
        if e.is_composite:
            inner = [(_simple_pattern(c, chars, lists), c.required) for c in e.components]
            first, *rest = inner
            one = (first[0] if first[1] else _optional(first[0])) + _sequence(rest, comp)
            if e.repeat > 1 and d.repetition:
                rep = re.escape(d.repetition)
                one = f"{one}(?:{rep}{one}){{0,{e.repeat - 1}}}"
        else:
            one = _simple_pattern(e, chars, lists)
        if pos in grouped:
            # a group that takes part only for a non-empty value, for the note conditionals
            one = f"(?P<e{pos}>(?=[^{sep}]){one})"
        parts.append((one, e.required))
    return re.escape(defn.tag) + _sequence(parts, sep)


def _valid_date(v: str) -> bool:
    if len(v) != 8 or not v.isdigit():
        return False
    try:
        date(int(v[:4]), int(v[4:6]), int(v[6:]))
    except ValueError:
        return False
    return True


def _valid_time(v: str) -> bool:
    if len(v) not in (4, 6, 7, 8) or not v.isdigit():
        return False
    return int(v[:2]) < 24 and int(v[2:4]) < 60 and (len(v) < 6 or int(v[4:6]) < 60)


Finding = tuple[str, Severity, str, str]  # (AK4 code, severity, message, finding class)
_LENGTH, _TYPE, _CODE = levels.ELEMENT_LENGTH, levels.ELEMENT_TYPE, levels.CODE_VALUE
_REPEATS, _UNEXPECTED = levels.SEGMENT_REPEAT, levels.UNEXPECTED_SEGMENT


def _check_simple(
    e: ElementDef, v: str, d: Delimiters, lists: MappingProxyType[str, CodeList]
) -> list[Finding]:
    """Every problem of one non-empty simple value (or component)."""
    out: list[Finding] = []
    if _UNDECODED.search(v):
        return [("6", ERROR, "invalid character: a byte the interchange's encoding lacks", _TYPE)]
    if _CONTROL.search(v):
        return [("6", ERROR, "control character in data", _TYPE)]
    t = e.type
    if t in ("AN", "ID"):
        if e.code_list:
            cl = lists[e.code_list]
            if v not in cl.codes:
                if cl.complete:
                    out.append(("7", ERROR, f"{v!r} is not a {cl.name} code", _CODE))
                else:
                    # a partial list cannot tell the partner it erred: a finding for the report
                    out.append(("7", INFO, f"{v!r} is not among the known {cl.name} codes", ""))
            return out
        if len(v) < e.min_len:
            sev = WARNING if e.short_is_warning else ERROR
            out.append(("4", sev, f"{len(v)} characters, minimum {e.min_len}", _LENGTH))
        elif len(v) > e.max_len:
            out.append(("5", ERROR, f"{len(v)} characters, maximum {e.max_len}", _LENGTH))
        for ch, what in ((d.component, "component"), (d.repetition, "repetition")):
            if ch and ch in v:
                out.append(("6", WARNING, f"{what} separator {ch!r} inside a simple element", ""))
        return out
    if t == "DT":
        if not _valid_date(v):
            out.append(("8", ERROR, f"{v!r} is not a CCYYMMDD date", ""))
        return out
    if t == "TM":
        if not _valid_time(v) or not e.min_len <= len(v) <= e.max_len:
            out.append(("9", ERROR, f"{v!r} is not an HHMM[SS[D[D]]] time", ""))
        return out
    if t[0] == "N":
        if _INTEGER.fullmatch(v):
            digits = len(v.lstrip("-"))
        elif t not in ("N", "N0") and _DECIMAL.fullmatch(v) and "." in v:
            # unambiguous amount sent with its decimal point: note it, keep the set
            msg = f"{v!r}: {t} has an implied decimal point, not an explicit one"
            out.append(("6", WARNING, msg, ""))
            digits = len(v.lstrip("-").replace(".", ""))
        else:
            return [("6", ERROR, f"{v!r} is not numeric", "")]
    else:  # R
        if not _DECIMAL.fullmatch(v):
            return [("6", ERROR, f"{v!r} is not a decimal number", "")]
        digits = len(v.lstrip("-").replace(".", ""))
    if digits < e.min_len:
        out.append(("4", ERROR, f"{digits} digits, minimum {e.min_len}", _LENGTH))
    elif digits > e.max_len:
        out.append(("5", ERROR, f"{digits} digits, maximum {e.max_len}", _LENGTH))
    return out


@dataclass(slots=True)
class _Where:
    """Location of the segment being examined (only built on the slow path)."""

    tag: str
    position: int
    loop_id: str
    index: int
    noted: frozenset[str] = frozenset()

    def issue(
        self,
        code: str,
        sev: Severity,
        msg: str,
        el: int,
        comp: int = 0,
        rep: int = 0,
        ref: str = "",
        bad: str = "",
        finding: str = "",
    ) -> Issue:
        message = f"{self.tag}{el:02d}{f'-{comp:02d}' if comp else ''}: {msg}"
        if sev is ERROR and finding and finding in self.noted:
            sev, message = WARNING, message + levels.NOTED_SUFFIX
        return Issue(
            level=_ELEM,
            code=code,
            message=message,
            severity=sev,
            segment_id=self.tag,
            segment_position=self.position,
            loop_id=self.loop_id,
            element_position=el,
            component_position=comp,
            repetition_position=rep,
            element_ref=ref,
            bad_value=_UNDECODED.sub("?", bad[:99]),  # the copy of bad data AK404 echoes
            segment_index=self.index,
            finding=finding,
        )


def _note_issues(defn: SegmentDef, els: list[str], w: _Where) -> list[Issue]:
    """Syntax notes broken by the segment: AK4 2 (conditional required data element missing)
    for P, R, C and L, AK4 10 (exclusion condition violated) for E."""
    out: list[Issue] = []
    defs = defn.elements or ()

    def has(p: int) -> bool:
        return p < len(els) and els[p] != ""

    def ref(p: int) -> str:
        return defs[p - 1].ref if p <= len(defs) and not defs[p - 1].is_composite else ""

    for note in defn.notes:
        first, *others = note.positions
        present = [p for p in note.positions if has(p)]
        label = note.label
        if note.kind == "P" and present and len(present) < len(note.positions):
            missing = [p for p in note.positions if not has(p)]
            msg = f"syntax note {label}: all or none of these elements"
            out.append(
                w.issue(
                    "2", ERROR, msg, missing[0], ref=ref(missing[0]), finding=levels.SYNTAX_NOTE
                )
            )
        elif note.kind == "R" and not present:
            msg = f"syntax note {label}: at least one of these elements is required"
            out.append(w.issue("2", ERROR, msg, first, ref=ref(first), finding=levels.SYNTAX_NOTE))
        elif note.kind == "E" and len(present) > 1:
            msg = f"syntax note {label}: only one of these elements may be present"
            p = present[1]
            out.append(
                w.issue("10", ERROR, msg, p, ref=ref(p), bad=els[p], finding=levels.SYNTAX_NOTE)
            )
        elif note.kind == "C" and has(first) and not all(has(p) for p in others):
            p = next(p for p in others if not has(p))
            msg = f"syntax note {label}: required when element {first:02d} is present"
            out.append(w.issue("2", ERROR, msg, p, ref=ref(p), finding=levels.SYNTAX_NOTE))
        elif note.kind == "L" and has(first) and not any(has(p) for p in others):
            msg = f"syntax note {label}: one of these is required when {first:02d} is present"
            out.append(
                w.issue("2", ERROR, msg, others[0], ref=ref(others[0]), finding=levels.SYNTAX_NOTE)
            )
    return out


def _element_issues(
    defn: SegmentDef,
    els: list[str],
    d: Delimiters,
    lists: MappingProxyType[str, CodeList],
    w: _Where,
) -> list[Issue]:
    """The precise walk: every element error of a segment the fast regex rejected."""
    out: list[Issue] = []
    if defn.elements is None:
        for i in range(1, len(els)):
            if _CONTROL.search(els[i]) or _UNDECODED.search(els[i]):
                out.append(w.issue("6", ERROR, "invalid character in data", i, bad=els[i]))
        return out
    defs = defn.elements
    trailing_noted = False
    for i in range(1, max(len(els), len(defs) + 1)):
        v = els[i] if i < len(els) else ""
        if i > len(defs):
            if v:
                out.append(w.issue("3", ERROR, "too many data elements", i, bad=v))
            elif not trailing_noted:
                out.append(w.issue("3", WARNING, "trailing empty data elements", i))
                trailing_noted = True
            continue
        e = defs[i - 1]
        if not v:
            if e.required:
                out.append(w.issue("1", ERROR, "mandatory data element missing", i, ref=e.ref))
            continue
        if not e.is_composite:
            for code, sev, msg, klass in _check_simple(e, v, d, lists):
                out.append(w.issue(code, sev, msg, i, ref=e.ref, bad=v, finding=klass))
            continue
        reps = v.split(d.repetition) if d.repetition and e.repeat > 1 else [v]
        if len(reps) > e.repeat:
            out.append(
                w.issue(
                    "12", ERROR, f"{len(reps)} repetitions, maximum {e.repeat}", i, ref=e.ref, bad=v
                )
            )
        for r, value in enumerate(reps, start=1):
            rep_pos = r if e.repeat > 1 else 0
            comps = value.split(d.component)
            if len(comps) > len(e.components):
                out.append(
                    w.issue(
                        "13", ERROR, "too many components", i, rep=rep_pos, ref=e.ref, bad=value
                    )
                )
            for j, c in enumerate(e.components, start=1):
                cv = comps[j - 1] if j <= len(comps) else ""
                if not cv:
                    if c.required:
                        out.append(
                            w.issue("1", ERROR, "mandatory component missing", i, j, rep_pos, c.ref)
                        )
                    continue
                for code, sev, msg, klass in _check_simple(c, cv, d, lists):
                    out.append(w.issue(code, sev, msg, i, j, rep_pos, c.ref, cv, klass))
    if defn.notes:
        seen = {(i.element_position, i.code) for i in out}
        for issue in _note_issues(defn, els, w):
            if (issue.element_position, issue.code) not in seen:  # R0103 and P0102 on L1101
                seen.add((issue.element_position, issue.code))
                out.append(issue)
    return out


class _Checkers:
    """Per (version, delimiters): segment id -> compiled `fullmatch` of its valid form."""

    def __init__(self, dictionary: MappingProxyType[str, SegmentDef], d: Delimiters) -> None:
        self.dictionary = dictionary
        self.delimiters = d
        self.lists = schema.code_lists()
        self.fast: dict[str, Callable[[str], object]] = {}

    def compile(self, tag: str) -> Callable[[str], object]:
        defn = self.dictionary[tag]
        matcher = re.compile(_segment_pattern(defn, self.delimiters, self.lists)).fullmatch
        self.fast[tag] = matcher
        return matcher


# ------------------------------------------------------------------------------------------
# per set validation


class _CompiledSet:
    def __init__(self, s: SetSchema) -> None:
        self.schema = s
        self.loops = _LoopTable(s.root)


def _seg_issue(
    code: str,
    sev: Severity,
    msg: str,
    tag: str,
    pos: int,
    loop_id: str,
    index: int,
    finding: str = "",
    noted: frozenset[str] = frozenset(),
) -> Issue:
    if sev is ERROR and finding and finding in noted:
        sev, msg = WARNING, msg + levels.NOTED_SUFFIX
    return Issue(
        level=_SEG,
        code=code,
        message=msg,
        severity=sev,
        segment_id=tag,
        segment_position=pos,
        loop_id=loop_id,
        segment_index=index,
        finding=finding,
    )


def _unexpected_code(tag: str, loops: _LoopTable) -> tuple[str, str]:
    if tag in loops.tags:
        return "7", f"segment {tag} is not in its proper sequence"
    if tag in schema.known_segment_ids():
        return "2", f"segment {tag} is not expected in this transaction set"
    if not _SEGMENT_ID.fullmatch(tag):
        return "1", f"unrecognized segment id {tag[:10]!r}"
    return "1", f"unrecognized segment id {tag}"


class VersionValidator:
    """Validates the sets of one functional group version (GS08)."""

    def __init__(self, owner: Validator, version: str) -> None:
        self._owner = owner
        self.version = version
        self._per_set: dict[str, tuple[_CompiledSet, str] | None] = {}

    def _compiled(self, set_id: str) -> tuple[_CompiledSet, str] | None:
        if set_id in self._per_set:
            return self._per_set[set_id]
        found: tuple[_CompiledSet, str] | None = None
        if set_id in schema.SUPPORTED_SETS:
            choice = schema.choose_version(set_id, self.version)
            compiled = self._owner.compiled(set_id, choice.base)
            if compiled is not None:
                found = (compiled, choice.note)
        self._per_set[set_id] = found
        return found

    def validate(
        self, ts: TransactionSet, delimiters: Delimiters, noted: frozenset[str] = frozenset()
    ) -> SetResult:
        """`noted`: the finding classes (gateway.x12.levels) this partner's profile notes."""
        found = self._compiled(ts.set_id)
        if found is None:
            issue = Issue(
                level=_SET,
                code="1",
                message=f"transaction set {ts.set_id!r} is not supported",
                segment_id="ST",
                segment_position=1,
                segment_index=ts.segments[0].index if ts.segments else 0,
            )
            return SetResult(
                ts.set_id,
                ts.control_number,
                ts.implementation_reference,
                AckCode.REJECTED,
                [*ts.issues, issue],
            )
        compiled, note = found
        checkers = self._owner.checkers(compiled.schema, delimiters)
        seg_issues = _walk(ts, compiled, checkers, noted)
        issues: list[Issue] = levels.demote_all(ts.issues, noted) if noted else list(ts.issues)
        if note:
            # GS08 is the group's: Level.GROUP keeps it out of `set_codes` and of AK5/AK9
            issues.append(Issue(level=Level.GROUP, code="", message=note, severity=WARNING))
        errors = any(i.severity is ERROR for i in issues)
        seg_errors = any(i.severity is ERROR for i in seg_issues)
        if seg_errors:
            issues.append(Issue(level=_SET, code="5", message="one or more segments in error"))
        issues.extend(seg_issues)
        if errors or seg_errors:
            code = AckCode.REJECTED
        elif any(i.severity is WARNING for i in seg_issues) or any(
            i.severity is WARNING and i.level is _SET for i in issues
        ):
            code = AckCode.ACCEPTED_WITH_ERRORS
        else:
            code = AckCode.ACCEPTED
        return SetResult(ts.set_id, ts.control_number, ts.implementation_reference, code, issues)


def _walk(
    ts: TransactionSet,
    compiled: _CompiledSet,
    checkers: _Checkers,
    noted: frozenset[str] = frozenset(),
) -> list[Issue]:
    """The hot loop: structure by table lookups, elements by one regex per segment."""
    loops = compiled.loops
    table = loops.table
    max_use = loops.max_use
    loop_ids = loops.loop_ids
    fast = checkers.fast
    dictionary = checkers.dictionary
    sep = checkers.delimiters.element
    issues: list[Issue] = []
    segments = ts.segments
    state = 0
    count = 1
    stack = [1]
    for pos, seg in enumerate(segments, start=1):
        els = seg[0]
        tag = els[0]
        seg_issue: Issue | None = None
        if pos > 1:
            kind, target, pop, missing, loop_max = table[state].get(tag) or loops.transition(
                state, tag
            )
            if kind == _REPEAT:
                count += 1
                if count > max_use[state]:
                    alt = loops.transition(state, tag, repeat=False)
                    if alt[0] < 0:
                        msg = f"segment {tag} exceeds its maximum use of {max_use[state]}"
                        seg_issue = _seg_issue(
                            "5", ERROR, msg, tag, pos, loop_ids[state], seg[1], _REPEATS, noted
                        )
                    else:
                        kind, target, pop, missing, loop_max = alt
            if kind != _REPEAT:
                if kind < 0:  # _NO_WAY
                    code, msg = _unexpected_code(tag, loops)
                    issues.append(
                        _seg_issue(
                            code, ERROR, msg, tag, pos, loop_ids[state], seg[1], _UNEXPECTED, noted
                        )
                    )
                    continue
                count = 1
                if pop:
                    del stack[-pop:]
                if kind == _ENTER:
                    stack.append(1)
                elif kind == _ITER:
                    stack[-1] += 1
                    if stack[-1] > loop_max:
                        msg = (
                            f"loop {loop_ids[target] or tag} occurs over its maximum of {loop_max}"
                        )
                        seg_issue = _seg_issue(
                            "4", ERROR, msg, tag, pos, loop_ids[target], seg[1], _REPEATS, noted
                        )
                if missing:
                    for m_tag, m_loop in missing:
                        issues.append(
                            _seg_issue(
                                "3",
                                ERROR,
                                f"mandatory segment {m_tag} missing",
                                m_tag,
                                pos,
                                m_loop,
                                seg[1],
                            )
                        )
                state = target
        matcher = fast.get(tag)
        if matcher is None:
            if tag not in dictionary:  # only a malformed first segment can get here
                continue
            matcher = checkers.compile(tag)
        if matcher(sep.join(els)) is None:
            where = _Where(tag, pos, loop_ids[state], seg[1], noted)
            found = _element_issues(
                dictionary[tag], els, checkers.delimiters, checkers.lists, where
            )
            for k, value in enumerate(els):
                if _UNDECODED.search(value):
                    # reported above; from here on the data carries U+FFFD, never a lone
                    # surrogate that the store's or the mapping's encoders would refuse
                    els[k] = _UNDECODED.sub("\ufffd", value)
            if found and all(i.severity is INFO for i in found):
                issues.extend(found)  # for the report only: no AK3, the segment stands
                found = []
            if found:
                if seg_issue is None:
                    sev = ERROR if any(i.severity is ERROR for i in found) else WARNING
                    seg_issue = _seg_issue(
                        "8",
                        sev,
                        f"segment {tag} has data element errors",
                        tag,
                        pos,
                        where.loop_id,
                        seg[1],
                    )
                issues.append(seg_issue)
                issues.extend(found)
                continue
        if seg_issue is not None:
            issues.append(seg_issue)
    if segments and segments[-1][0][0] != "SE":
        # no SE (the envelope reports AK5 2): still report what the set lacks before its end
        _, _, _, missing, _ = loops.transition(state, "SE")
        last = segments[-1]
        for m_tag, m_loop in missing:
            issues.append(
                _seg_issue(
                    "3",
                    ERROR,
                    f"mandatory segment {m_tag} missing",
                    m_tag,
                    len(segments),
                    m_loop,
                    last[1],
                )
            )
    return issues


_CACHE_LIMIT = 64  # distinct delimiter sets / GS08 strings kept; input decides these keys


class Validator:
    """Built once per process: compiled loop tables per (set, version), regexes per delimiters.

    Safe to share between threads: the lazily filled caches only ever gain equal values.
    """

    def __init__(self) -> None:
        self._sets: dict[tuple[str, str], _CompiledSet | None] = {}
        self._versions: dict[str, VersionValidator] = {}
        self._checkers: dict[tuple[str, str, str, str | None], _Checkers] = {}
        for set_id, version in schema.available():
            self.compiled(set_id, version)

    def compiled(self, set_id: str, base: str) -> _CompiledSet | None:
        key = (set_id, base)
        if key not in self._sets:
            s = schema.load_set(set_id, base)
            self._sets[key] = _CompiledSet(s) if s is not None else None
        return self._sets[key]

    def checkers(self, s: SetSchema, d: Delimiters) -> _Checkers:
        key = (s.version, d.element, d.component, d.repetition)
        found = self._checkers.get(key)
        if found is None:
            if len(self._checkers) >= _CACHE_LIMIT:
                self._checkers.clear()
            found = self._checkers[key] = _Checkers(s.segments, d)
        return found

    def for_version(self, version: str) -> VersionValidator:
        """The validator for a group's GS08 (e.g. 004010, 004030, 005010X230)."""
        found = self._versions.get(version)
        if found is None:
            if len(self._versions) >= _CACHE_LIMIT:
                self._versions.clear()
            found = self._versions[version] = VersionValidator(self, version)
        return found

    def validate(
        self,
        ts: TransactionSet,
        delimiters: Delimiters,
        version: str,
        noted: frozenset[str] = frozenset(),
    ) -> SetResult:
        """Validate one set: every structural and element error, plus the set's envelope issues."""
        return self.for_version(version).validate(ts, delimiters, noted)


_default: Validator | None = None


def default_validator() -> Validator:
    """The process-wide validator (compiling is done once)."""
    global _default
    if _default is None:
        _default = Validator()
    return _default
