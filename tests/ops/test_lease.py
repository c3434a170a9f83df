"""Province leases on both databases: exclusive, renewable, taken over only after expiry
(with a new fencing token), released at once on a clean shutdown."""

from __future__ import annotations

import threading
import time

from ledger import lease
from ledger.store import Database

SH = lease.province_lease(310000)
JS = lease.province_lease(320000)


def test_one_holder_until_expiry_then_takeover(db: Database) -> None:
    a = lease.acquire(db, [SH, JS], "worker-a", ttl=0.6)
    assert set(a) == {SH, JS} and a[SH].token == 1
    assert lease.acquire(db, [SH], "worker-b", ttl=0.6) == {}  # live: refused
    renewed = lease.acquire(db, [SH], "worker-a", ttl=0.6)[SH]
    assert renewed.token == 1 and renewed.expires_at > a[SH].expires_at  # same era
    time.sleep(0.7)
    b = lease.acquire(db, [SH], "worker-b", ttl=5)
    assert b[SH].holder == "worker-b" and b[SH].token == 2  # a new era: fencing token + 1
    assert lease.acquire(db, [SH], "worker-a", ttl=5) == {}  # the old holder is out


def test_release_hands_over_at_once(db: Database) -> None:
    lease.acquire(db, [SH, JS], "worker-a", ttl=60)
    assert lease.release(db, [SH, JS], "worker-b") == 0  # only the holder may release
    assert lease.release(db, [SH], "worker-a") == 1
    assert set(lease.acquire(db, [SH, JS], "worker-b", ttl=60)) == {SH}
    holders = {held.name: held.holder for held in lease.current(db)}
    assert holders == {SH: "worker-b", JS: "worker-a"}


def test_racing_workers_never_share_a_lease(db: Database) -> None:
    names = [lease.province_lease(p) for p in (110000, 120000, 310000, 320000, 330000)]
    won: dict[str, list[str]] = {}
    barrier = threading.Barrier(6)

    def contend(worker: str) -> None:
        barrier.wait()
        for _ in range(5):
            for name in lease.acquire(db, names, worker, ttl=30):
                won.setdefault(name, []).append(worker)

    threads = [threading.Thread(target=contend, args=(f"w{i}",)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert set(won) == set(names)
    assert all(len(set(holders)) == 1 for holders in won.values()), won
    assert {held.token for held in lease.current(db)} == {1}
