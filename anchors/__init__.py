"""govtrace anchors: the on-chain half of the audit ledger.

Compiled contract artifact, a managed local Anvil, a JSON-RPC connection with
local signing and confirmation tracking, the typed GovtraceAnchor wrapper and
on-chain evidence verification.  Nothing here reads configuration or opens a
connection at import time; everything takes explicit options.  This package
does not import ``api`` (or FastAPI).
"""

from anchors.anvil import DEV_MNEMONIC, AnvilOptions, AnvilProcess, dev_account, dev_accounts
from anchors.artifact import Artifact, load_artifact
from anchors.chain import Chain, ChainOptions
from anchors.confirm import ConfirmationWatcher, MinedTx
from anchors.contract import (
    AnchorContract,
    AnchoredEvent,
    AnchorReceipt,
    OnChainBatch,
    ProvinceHead,
)
from anchors.errors import (
    AnchorError,
    AnchoringTxUnknown,
    ArtifactError,
    ChainDisagrees,
    ChainMismatch,
    ChainUnreachable,
    ConfirmationTimeout,
    FeeModeUnsupported,
    InclusionRejected,
    MissingProvinceKey,
    NodeStartFailed,
    NotAnchored,
    Reorged,
    RootMismatch,
    RpcFailed,
    TransactionDropped,
    TransactionReverted,
    WrongContract,
)
from anchors.sender import TransactionSender, fee_fields
from anchors.verify import AnchorCheck, InclusionClaim, check_anchor

__all__ = [
    "DEV_MNEMONIC",
    "AnchorCheck",
    "AnchorContract",
    "AnchorError",
    "AnchorReceipt",
    "AnchoredEvent",
    "AnchoringTxUnknown",
    "AnvilOptions",
    "AnvilProcess",
    "Artifact",
    "ArtifactError",
    "Chain",
    "ChainDisagrees",
    "ChainMismatch",
    "ChainOptions",
    "ChainUnreachable",
    "ConfirmationTimeout",
    "ConfirmationWatcher",
    "FeeModeUnsupported",
    "InclusionClaim",
    "InclusionRejected",
    "MinedTx",
    "MissingProvinceKey",
    "NodeStartFailed",
    "NotAnchored",
    "OnChainBatch",
    "ProvinceHead",
    "Reorged",
    "RootMismatch",
    "RpcFailed",
    "TransactionDropped",
    "TransactionReverted",
    "TransactionSender",
    "WrongContract",
    "check_anchor",
    "dev_account",
    "dev_accounts",
    "fee_fields",
    "load_artifact",
]
