"""The one --where syntax."""

from __future__ import annotations

from pathlib import Path

import pytest

from netops.errors import FilterError
from netops.inventory import load_inventory, parse_where, select


@pytest.fixture
def inv(small_inventory: Path):
    return load_inventory(small_inventory)


def names(records) -> set[str]:
    return {getattr(r, "name", None) if hasattr(r, "platform") else r.id for r in records}


def test_equal_is_case_insensitive_with_wildcards(inv) -> None:
    assert names(select(inv, "sites", ["tier=DESA", "kecamatan=b"])) == {"desa-b1", "desa-b2", "desa-b3"}
    assert names(select(inv, "devices", ["name=desa-a*"])) == {"desa-a1-r1", "desa-a2-r1"}


def test_not_equal_and_multi_valued_facts(inv) -> None:
    # desa-b2 has an active VSAT and a planned fiber: it matches both media.
    assert names(select(inv, "sites", ["medium=fiber", "tier=desa"])) == {"desa-a1", "desa-a2", "desa-b2"}
    assert names(select(inv, "sites", ["tier=desa", "medium!=vsat"])) == {"desa-a1", "desa-a2", "desa-b3"}
    assert names(select(inv, "links", ["status=planned"])) == {"fo-desa-b2"}
    assert names(select(inv, "links", ["provider=Telkom Mangoesky"])) == {"vsat-desa-b1", "vsat-desa-b2"}


def test_quoted_values_with_spaces(inv) -> None:
    assert names(select(inv, "links", ['provider="Icon Plus"', "kecamatan=A"])) == {"fo-kec-a", "fo-desa-a1", "fo-desa-a2"}


def test_bad_expressions_are_clear(inv) -> None:
    with pytest.raises(FilterError, match="write key=value"):
        parse_where(["tier"])
    with pytest.raises(FilterError, match="devices have no 'colour'; use one of"):
        select(inv, "devices", ["colour=red"])
