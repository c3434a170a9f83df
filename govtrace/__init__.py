"""govtrace application wiring: settings, the `govtrace` CLI and the long-running service.

This is the composition root: it is the only place that knows `ledger`, `anchors` and `api`
together.
"""
