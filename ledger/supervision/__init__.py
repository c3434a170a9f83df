"""Electronic supervision (电子监察, issue 4): alerts on cases that are late, stuck or handled
out of order, on anchoring lag and on refusal rates, plus on-time statistics.

- `config`: the rules' parameters and vocabulary;
- `rules`: the pure per-case rules (recorded steps + calendar + now -> alerts);
- `ledger_rules`: rules over many records (anchoring lag per province, refusal and denial
  rates per service item);
- `refresh`: the materialised alerts, marked stale by appends and refreshed by the worker's
  sweep or on read;
- `alerts`: filtered, paged reads with each fact's anchoring status;
- `stats`: per-province and per-item statistics.

docs/supervision.md states every rule precisely.
"""
