"""Who may see and do what with cases and licenses (docs/roles.md is the full matrix).

- operator of P: submits cases received in P and writes the steps the state machine gives
  to P; reads the cases P receives or handles (with the applicant's plain data, which P
  needs to do the work), and the licenses P issued;
- partner of P: reads the cases P receives or handles (commitments only) and verifies any
  license;
- supervisor and admin: read everything, write nothing; verify any license;
- citizens hold no key: the query code issued at submission opens their own case only.

Anything out of reach answers 404 exactly like something that does not exist, so no key
can learn which case numbers or licenses exist in provinces it has no business with.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from ledger.errors import NotFound
from ledger.keys import Principal
from ledger.store.domain_schema import CaseRow, LicenseRow

from .deps import Role, require_role

SEE_ALL: frozenset[str] = frozenset({"admin", "supervisor"})
WRITERS: tuple[Role, ...] = ("operator",)
READERS: tuple[Role, ...] = ("admin", "supervisor", "partner", "operator")
VERIFIERS: tuple[Role, ...] = ("admin", "supervisor", "partner")
CATALOGUE_EDITORS: tuple[Role, ...] = ("admin", "operator")

CaseWriterDep = Annotated[Principal, Depends(require_role(*WRITERS))]
ReaderDep = Annotated[Principal, Depends(require_role(*READERS))]
VerifierDep = Annotated[Principal, Depends(require_role(*VERIFIERS))]
CatalogueEditorDep = Annotated[Principal, Depends(require_role(*CATALOGUE_EDITORS))]


def involved(principal: Principal, row: CaseRow) -> bool:
    return principal.province in (row.receiving_province, row.handling_province)


def may_read_case(principal: Principal, row: CaseRow) -> bool:
    return principal.role in SEE_ALL or (principal.role in ("operator", "partner")
                                         and involved(principal, row))


def may_see_applicant(principal: Principal, row: CaseRow) -> bool:
    return principal.role == "operator" and involved(principal, row)


def case_scope(principal: Principal) -> set[int] | None:
    """Provinces whose cases the key may list; None: all."""
    if principal.role in SEE_ALL:
        return None
    return {principal.province} if principal.province is not None else set()


def may_read_license(principal: Principal, row: LicenseRow) -> bool:
    return principal.role in SEE_ALL or principal.role == "partner" or (
        principal.role == "operator" and principal.province == row.issuing_province)


def hidden_case(case_no: str) -> NotFound:
    """The one answer for unknown and out-of-reach cases alike."""
    return NotFound(f"no case {case_no}")


def hidden_license(license_id: str) -> NotFound:
    return NotFound(f"no license {license_id}")
