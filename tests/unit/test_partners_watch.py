"""PartnersWatch: reload on change only, checked first, swapped in one step."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from gateway.registry import Registry
from gateway.registry.reload import PartnersWatch

PARTNERS = Path(__file__).resolve().parents[2] / "partners"


def touch(path: Path, text: str, n: int) -> None:
    path.write_text(text)
    os.utime(path, ns=(1, n * 1_000_000_000))


def test_reloads_only_on_change_and_keeps_the_last_good_set(tmp_path: Path) -> None:
    folder = tmp_path / "partners"
    shutil.copytree(PARTNERS, folder)
    registry = Registry.load(folder)
    held_by_pipeline = registry  # what every worker holds: the same object
    watch = PartnersWatch(folder, registry)
    assert watch.poll() is None

    portal = folder / "portal.yaml"
    touch(portal, portal.read_text().replace("name: ", "name: New ", 1), 2)
    result = watch.poll()
    assert result is not None and result.applied and result.changed == ("portal",)
    assert held_by_pipeline.get("portal").name.startswith("New ")
    assert watch.poll() is None  # once per change

    touch(portal, "id: portal\nname: [unclosed\n", 3)
    result = watch.poll()
    assert result is not None and not result.applied
    assert result.problems[0].file == "portal.yaml"
    assert "not valid YAML" in result.problems[0].message
    assert held_by_pipeline.get("portal").name.startswith("New ")  # the last good set
    assert watch.poll() is None  # the same broken state is reported once

    touch(portal, PARTNERS.joinpath("portal.yaml").read_text(), 4)
    (folder / "acme-retail.yaml").unlink()  # no other profile names it
    result = watch.poll()
    assert result is not None and result.applied
    assert (result.removed, result.changed) == (("acme-retail",), ("portal",))
    assert held_by_pipeline.find("acme-retail") is None


def test_removing_a_carrier_the_erp_still_names_keeps_the_last_good_set(tmp_path: Path) -> None:
    folder = tmp_path / "partners"
    shutil.copytree(PARTNERS, folder)
    registry = Registry.load(folder)
    watch = PartnersWatch(folder, registry)
    (folder / "northwind-5010.yaml").unlink()  # erp.yaml's idoc.posting still maps it
    result = watch.poll()
    assert result is not None and not result.applied
    assert result.problems[0].path == "idoc.posting.carriers.northwind-5010"
    assert registry.find("northwind-5010") is not None
