"""A throw-away gateway home (partners, inbox, outbox, var) for end-to-end tests."""

from __future__ import annotations

import shutil
from pathlib import Path

from gateway.service import Gateway
from gateway.settings import Settings
from tests.conftest import REPO, SAMPLES

DEMO_ISA = "ISA*00*          *00*          *02*DEMOCARRIER    *ZZ*LOGIGATEWAY    *"


def make_home(tmp_path: Path) -> Settings:
    shutil.copytree(REPO / "partners", tmp_path / "partners")
    return Settings(
        base_dir=tmp_path,
        partners_dir=tmp_path / "partners",
        inbox_dir=tmp_path / "inbox",
        outbox_dir=tmp_path / "outbox",
        var_dir=tmp_path / "var",
        database_url=None,
        stable_seconds=0.0,
    )


def demo_214(
    isa13: str = "000000101", *, sets: int = 2, bad_iea: bool = False, usage: str = "P"
) -> bytes:
    """A 214 interchange from the demo carrier, built around a real sample's body."""
    body = []
    for n in range(1, sets + 1):
        st = f"{n:04d}"
        segs = [
            f"ST*214*{st}",
            f"B10*PRO{n}*SHIP{n}*DEMO",
            "L11*BOL123*BM",
            "N1*SH*ACME RETAIL*93*ACME-RETAIL",
            "N1*CN*CONSIGNEE CO",
            "N4*DALLAS*TX*75201*US",
            "LX*1",
            "AT7*X3*NS***20240105*0800*CT",
            "MS1*DALLAS*TX*US",
            "LX*2",
            "AT7*D1*NS***20240106*1430*CT",
            "MS1*HOUSTON*TX*US",
        ]
        segs.append(f"SE*{len(segs) + 1}*{st}")
        body.extend(segs)
    iea = "000000999" if bad_iea else isa13
    text = (
        DEMO_ISA
        + f"240105*0900*U*00401*{isa13}*0*{usage}*>~"
        + "GS*QM*DEMOCARRIER*LOGIGATEWAY*20240105*0900*501*X*004010~"
        + "~".join(body)
        + f"~GE*{sets}*501~IEA*1*{iea}~"
    )
    return text.encode()


def drop(settings: Settings, account: str, name: str, data: bytes) -> Path:
    folder = settings.inbox_dir / account
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return path


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def gateway(settings: Settings) -> Gateway:
    return Gateway(settings)
