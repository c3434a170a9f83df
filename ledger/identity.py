"""People and organisations named in a case or on a license, and their salted commitments.

Records never carry an applicant or holder in the clear: they carry
`0x + SHA-256(salt ‖ canonical id)` with 16 random bytes of salt that only the province's
database holds. Without the salt, a commitment cannot be tested against a guessed ID number
(Chinese resident ID numbers have little entropy: birth date, region, a check digit), and
two cases of the same person carry unrelated commitments.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Any

from .errors import InvalidInput

#: Identity document types (证件类型) the service accepts.
ID_TYPES = {
    "resident_id": "居民身份证",
    "passport": "护照",
    "hk_macao_permit": "港澳居民来往内地通行证",
    "taiwan_permit": "台湾居民来往大陆通行证",
    "foreign_permanent_id": "外国人永久居留身份证",
    "uscc": "统一社会信用代码",  # organisations: companies, associations
}
_RESIDENT_ID = re.compile(r"^\d{17}[\dX]$")
_USCC = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
_OTHER_ID = re.compile(r"^[A-Z0-9]{5,32}$")
_PHONE = re.compile(r"^\+?[0-9-]{5,20}$")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"


def resident_id_check_char(first17: str) -> str:
    """GB 11643-1999 check character of an 18-digit resident ID number."""
    return _CHECK_CHARS[sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def new_salt() -> str:
    return "0x" + secrets.token_hex(16)


def commit(salt: str, value: str) -> str:
    """`0x` + SHA-256(salt bytes ‖ UTF-8 value)."""
    return "0x" + hashlib.sha256(bytes.fromhex(salt[2:]) + value.encode()).hexdigest()


def opens(commitment: str, salt: str, value: str) -> bool:
    return hmac.compare_digest(commitment, commit(salt, value))


@dataclass(frozen=True, slots=True)
class Person:
    """An applicant or license holder as the province's database keeps them."""

    name: str
    id_type: str
    id_number: str
    phone: str | None = None

    def canonical_id(self) -> str:
        """What the commitment hashes: document type and number, normalised."""
        return f"{self.id_type}:{self.id_number}"

    @classmethod
    def from_json(cls, obj: Any, field: str = "applicant") -> Person:
        if not isinstance(obj, dict):
            raise InvalidInput(f"{field} must be an object {{name, id_type, id_number, "
                               "phone?}", field=field)
        if unknown := sorted(set(obj) - {"name", "id_type", "id_number", "phone"}):
            where = f"{field}.{unknown[0]}"
            raise InvalidInput(f"{where} is not a field", field=where)
        name, id_type, number = obj.get("name"), obj.get("id_type"), obj.get("id_number")
        if not isinstance(name, str) or not name.strip() or len(name) > 128:
            raise InvalidInput(f"{field}.name must be 1-128 characters", field=f"{field}.name")
        if id_type not in ID_TYPES:
            raise InvalidInput(f"{field}.id_type must be one of {', '.join(ID_TYPES)}",
                               field=f"{field}.id_type")
        if not isinstance(number, str):
            raise InvalidInput(f"{field}.id_number must be a string", field=f"{field}.id_number")
        number = number.strip().upper()
        _check_number(id_type, number, f"{field}.id_number")
        phone = obj.get("phone")
        if phone is not None and (not isinstance(phone, str) or not _PHONE.match(phone)):
            raise InvalidInput(f"{field}.phone must be 5-20 digits", field=f"{field}.phone")
        return cls(name.strip(), id_type, number, phone)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "id_type": self.id_type, "id_number": self.id_number,
                "phone": self.phone}


def _check_number(id_type: str, number: str, field: str) -> None:
    if id_type == "resident_id":
        if not _RESIDENT_ID.match(number) or resident_id_check_char(number[:17]) != number[17]:
            raise InvalidInput(f"{field} is not a valid 18-character resident ID number "
                               "(GB 11643 check character)", field=field)
    elif id_type == "uscc":
        if not _USCC.match(number):
            raise InvalidInput(f"{field} is not an 18-character unified social credit code",
                               field=field)
    elif not _OTHER_ID.match(number):
        raise InvalidInput(f"{field} must be 5-32 letters and digits", field=field)
