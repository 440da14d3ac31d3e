"""Property: for any delimiters, reading what the writer wrote gives back the same segments."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.x12.envelope import read_events
from gateway.x12.model import Delimiters, TransactionSet
from gateway.x12.writer import X12Writer
from tests.unit.test_writer import gs, isa

# what real partners use: punctuation, control characters, a line break as terminator
SEPARATORS = [*"*~^|>:!+`@#$%&", "\x1c", "\x1d", "\x1e", "\x1f", "\x15", "\x07"]
TERMINATORS = [*SEPARATORS, "\n", "\r", "\u2026"]
VALUE_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,-/()'=?;*~^|>:!+`@#$%&"


@st.composite
def delimiters(draw: st.DrawFn) -> Delimiters:
    element = draw(st.sampled_from(SEPARATORS))
    component = draw(st.sampled_from([c for c in SEPARATORS if c != element]))
    terminator = draw(st.sampled_from([c for c in TERMINATORS if c not in (element, component)]))
    repetition = draw(
        st.none()
        | st.sampled_from([c for c in SEPARATORS if c not in (element, component, terminator)])
    )
    return Delimiters(element, component, terminator, repetition)


def values(d: Delimiters) -> st.SearchStrategy[str]:
    allowed = "".join(c for c in VALUE_CHARS if c not in d.all())
    # no leading/trailing blanks: a reader may take them for indentation or padding
    return st.text(allowed, min_size=1, max_size=12).map(str.strip).filter(bool)


@st.composite
def documents(draw: st.DrawFn) -> tuple[Delimiters, list[list[str]]]:
    d = draw(delimiters())
    tag = st.sampled_from(["B10", "L11", "N1", "N4", "LX", "AT7", "MS1", "AT8", "K1"])
    segment = st.builds(
        lambda t, first, middle, last: [t, first, *middle, last],
        tag,
        values(d),
        st.lists(st.one_of(st.just(""), values(d)), max_size=5),
        values(d),
    )
    return d, draw(st.lists(segment, min_size=1, max_size=20))


@settings(max_examples=300, deadline=None)
@given(documents())
def test_reader_gives_back_what_the_writer_wrote(doc: tuple[Delimiters, list[list[str]]]) -> None:
    d, body = doc
    out = io.StringIO()
    version = "00501" if d.repetition else "00401"
    with (
        X12Writer(out, d) as w,
        w.interchange(isa(d=d, version=version)),
        w.group(gs()),
        w.transaction_set("214", "0001"),
    ):
        for segment in body:
            w.write_segment(segment)
    data = out.getvalue().encode()
    sets = [e for e in read_events(io.BytesIO(data), chunk_size=7) if isinstance(e, TransactionSet)]
    assert len(sets) == 1
    got = [s.elements for s in sets[0].segments[1:-1]]
    assert got == body
    assert sets[0].issues == []
