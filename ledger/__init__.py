"""govtrace ledger core: records, canonical encoding, RFC 9162 Merkle trees, batches, storage.

This package is deliberately free of chain and HTTP dependencies (no web3, no fastapi):
`anchors` and `api` build on it, never the reverse.
"""
