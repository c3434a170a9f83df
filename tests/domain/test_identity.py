"""Applicant and holder identities, their salted commitments, and citizen query codes."""

from __future__ import annotations

import re

import pytest

from ledger import identity, querycode
from ledger.errors import InvalidInput
from ledger.identity import Person


def test_resident_id_check_character() -> None:
    # GB 11643 example numbers (the check character follows from the first 17 digits).
    assert identity.resident_id_check_char("11010519491231002") == "X"
    assert identity.resident_id_check_char("44052418800101001") == "4"


def test_people_are_validated_and_normalised() -> None:
    p = Person.from_json({"name": " 王五 ", "id_type": "resident_id",
                          "id_number": "11010519491231002x"})
    assert p.name == "王五" and p.canonical_id() == "resident_id:11010519491231002X"
    org = Person.from_json({"name": "杭州某某科技有限公司", "id_type": "uscc",
                            "id_number": "91330106MA2KXY7Q3N"})
    assert org.canonical_id().startswith("uscc:")
    for bad in [{"name": "A", "id_type": "resident_id", "id_number": "110105194912310021"},
                {"name": "A", "id_type": "ssn", "id_number": "1"},
                {"name": "", "id_type": "passport", "id_number": "E12345678"},
                {"name": "A", "id_type": "passport", "id_number": "E1"},
                {"name": "A", "id_type": "passport", "id_number": "E12345678", "age": 3}]:
        with pytest.raises(InvalidInput):
            Person.from_json(bad)


def test_commitments_are_salted() -> None:
    a, b = identity.new_salt(), identity.new_salt()
    value = "resident_id:11010519491231002X"
    assert identity.commit(a, value) != identity.commit(b, value)
    assert re.fullmatch(r"0x[0-9a-f]{64}", identity.commit(a, value))
    assert identity.opens(identity.commit(a, value), a, value)
    assert not identity.opens(identity.commit(a, value), a, value + "0")


def test_query_codes() -> None:
    code = querycode.new_code()
    assert re.fullmatch(r"[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}", code)
    stored = querycode.hash_code(code, iterations=1000)
    assert code not in stored and stored.startswith("pbkdf2-sha256$1000$")
    assert querycode.matches(code, stored)
    assert querycode.matches(code.lower().replace("-", " "), stored)  # as typed by people
    assert not querycode.matches(querycode.new_code(), stored)
    assert not querycode.matches("not a code", stored)
    assert not querycode.matches(code, None)  # unknown case: same work, never a match
    assert querycode.hash_code(code, iterations=1000) != stored  # salted
