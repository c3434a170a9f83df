"""Connect to the chain, or start the embedded Anvil, and find or deploy the anchor contract.

Embedded defaults (no GOVTRACE_RPC_URL): an Anvil node on `anvil_port` whose state is kept in
<data_dir>/anvil-state.json, the consortium admin and every province anchoring with Anvil's
deterministic dev accounts, and the contract deployed on first start. The contract address is
remembered in the ledger database (table ledger_setting), keyed by chain id.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from anchors.anvil import AnvilOptions, AnvilProcess, dev_account
from anchors.chain import Chain, ChainOptions
from anchors.contract import AnchorContract, Key
from anchors.errors import WrongContract
from govtrace.settings import Settings
from ledger import settings_store
from ledger.province import PROVINCES
from ledger.store import Database

log = logging.getLogger(__name__)
DEV_ACCOUNTS = 1 + len(PROVINCES)


def dev_province_keys() -> dict[int, Key]:
    """Province i (in code order) anchors with Anvil dev account i + 1; 0 is the admin."""
    return {code: dev_account(i + 1) for i, code in enumerate(sorted(PROVINCES))}


@dataclass
class ChainContext:
    chain: Chain
    contract: AnchorContract
    admin_key: Key | None
    province_keys: dict[int, Key]
    anvil: AnvilProcess | None = None
    registered: set[int] = field(default_factory=set)

    def ensure_registered(self, province: int) -> None:
        """Register a province's anchoring account on first use (needs the admin key)."""
        if province in self.registered:
            return
        head = self.contract.province_head(province)
        key = self.province_keys.get(province)
        if not head.registered and key is not None and self.admin_key is not None:
            address = self.contract.sender(key).address
            self.contract.register_province(province, address, self.admin_key)
            log.info("registered province %s -> %s", province, address)
        self.registered.add(province)

    def close(self) -> None:
        if self.anvil is not None:
            self.anvil.stop()


def chain_options(settings: Settings) -> ChainOptions:
    return ChainOptions(confirmations=settings.confirmations,
                        timeout=settings.anchor_timeout_seconds)


def open_chain(settings: Settings, db: Database) -> ChainContext:
    anvil = None
    url = settings.rpc_url
    if url is None:
        anvil = AnvilProcess(AnvilOptions(
            port=settings.anvil_port, state_path=settings.data_dir / "anvil-state.json",
            state_interval=5, accounts=DEV_ACCOUNTS, anvil_path=settings.anvil_path,
            log_path=settings.data_dir / "anvil.log", quiet=True)).start()
        url = anvil.url
        log.info("started Anvil on %s", url)
    try:
        chain = Chain(url, chain_options(settings))
        admin_key: Key | None = (settings.admin_key.get_secret_value() if settings.admin_key
                                 else dev_account(0) if anvil is not None else None)
        province_keys: dict[int, Key] = dict(settings.province_key_map())
        if not province_keys and anvil is not None:
            province_keys = dev_province_keys()
        contract = _contract(settings, db, chain, admin_key, embedded=anvil is not None)
        return ChainContext(chain, contract, admin_key, province_keys, anvil)
    except BaseException:
        if anvil is not None:
            anvil.stop()
        raise


def _contract(settings: Settings, db: Database, chain: Chain, admin_key: Key | None, *,
              embedded: bool) -> AnchorContract:
    options = chain_options(settings)
    if settings.contract_address:
        return AnchorContract.at(chain, settings.contract_address, options=options)
    key = f"anchor.contract.{chain.chain_id}"
    remembered = settings_store.get(db, key)
    if remembered:
        try:
            return AnchorContract.at(chain, remembered, options=options)
        except WrongContract:
            if not embedded:
                raise
            # The embedded chain was reset (state file deleted): its anchors went with it.
            log.warning("contract %s vanished with the embedded chain; redeploying", remembered)
            settings_store.forget_anchors(db, remembered)
    if admin_key is None:
        raise WrongContract("<none>", "no contract configured and no admin key to deploy one; "
                            "set GOVTRACE_CONTRACT_ADDRESS or GOVTRACE_ADMIN_KEY")
    contract = AnchorContract.deploy(chain, admin_key, options)
    settings_store.put(db, key, contract.address)
    log.info("deployed GovtraceAnchor at %s on chain %s", contract.address, chain.chain_id)
    return contract
