"""Independent check of the acknowledgements the gateway writes, with pyx12's own 997/999 maps.

pyx12's bundled maps are HIPAA implementation guides: AK101 only admits HIPAA functional ids,
AK201 only HIPAA set ids, ISA05/ISA07 a handful of qualifiers. Those three code lists are
widened to the X12 values a transport acknowledgement carries (SM QM IM GF FA; 204 210 214 990
997 999; every 004010 ISA qualifier) in a private copy of the map folder; nothing else in the
maps changes. pyx12 ships no 005010 997 map (it is commented out of maps.xml), so 997s are
checked in 004010 envelopes and 999s as 005010X231A1.
"""

from __future__ import annotations

import atexit
import io
import json
import logging
import re
import shutil
import tempfile
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pyx12.params
import pyx12.x12n_document

_WIDEN = {
    "AK101": ("SM", "QM", "IM", "GF", "FA"),
    "AK201": ("204", "210", "214", "990", "997", "999"),
    "ISA05": (*(f"{n:02d}" for n in (*range(1, 5), *range(7, 39))), "AM", "NR", "SA", "SN", "ZZ"),
}
_WIDEN["ISA07"] = _WIDEN["ISA05"]
_MAPS = (
    "997.4010.xml",
    "999.5010.xml",
    "999.5010X231.A1.xml",
    "x12.control.00401.xml",
    "x12.control.00501.xml",
)


def _widen(xml: str) -> str:
    for xid, codes in _WIDEN.items():
        block = re.compile(rf'(<element xid="{xid}">.*?)(\s*</valid_codes>)', re.S)

        def add(m: re.Match[str], codes: tuple[str, ...] = codes) -> str:
            present = set(re.findall(r"<code>([^<]*)</code>", m.group(1)))
            extra = "".join(f"<code>{c}</code>" for c in codes if c not in present)
            return m.group(1) + extra + m.group(2)

        xml = block.sub(add, xml)
    return xml


@cache
def map_folder() -> Path:
    """A private copy of pyx12's map folder with the widened code lists (made once per process)."""
    source = resources.files("pyx12").joinpath("map")
    target = Path(tempfile.mkdtemp(prefix="gateway-pyx12-maps-"))
    atexit.register(shutil.rmtree, target, True)
    with resources.as_file(source) as src:
        for item in Path(src).iterdir():
            if item.is_file():
                shutil.copy(item, target / item.name)
    for name in _MAPS:
        path = target / name
        path.write_text(_widen(path.read_text(encoding="utf-8")), encoding="utf-8")
    return target


def _collect(node: Any, out: list[str]) -> None:
    if isinstance(node, dict):
        for err in node.get("errors", []):
            out.append(f"{err.get('err_cde')}: {err.get('err_str')}")
        for value in node.values():
            if isinstance(value, list | dict):
                _collect(value, out)
    elif isinstance(node, list):
        for item in node:
            _collect(item, out)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"log: {record.getMessage()}")


def pyx12_errors(x12: bytes | str) -> list[str]:
    """Every error pyx12 reports for `x12` (empty when it validates cleanly)."""
    text = x12.decode("utf-8") if isinstance(x12, bytes) else x12
    folder = str(map_folder())
    param = pyx12.params.params()
    param.set("map_path", folder)
    report = io.StringIO()
    # some findings (e.g. a missing mandatory loop) reach only pyx12's log, not its JSON report
    logged = _Collect()
    logger = logging.getLogger("pyx12")
    logger.addHandler(logged)
    propagate, logger.propagate = logger.propagate, False
    try:
        ok = pyx12.x12n_document.x12n_document(
            param=param,
            src_file=io.StringIO(text),
            fd_997=None,
            fd_html=None,
            fd_json=report,
            map_path=folder,
        )
    finally:
        logger.removeHandler(logged)
        logger.propagate = propagate
    errors: list[str] = list(logged.messages)
    if report.getvalue():
        _collect(json.loads(report.getvalue()), errors)
    if not ok and not errors:
        errors.append("pyx12 reported the document invalid without details")
    return errors
