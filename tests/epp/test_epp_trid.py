"""Client transaction ids are unique, even from many threads at once."""

from __future__ import annotations

import threading

import pytest

from bureau.epp import TransactionIds


def test_ids_are_unique_across_threads_and_carry_the_prefix() -> None:
    trids = TransactionIds("COOP")
    seen: list[str] = []
    lock = threading.Lock()

    def make() -> None:
        ids = [trids.next() for _ in range(2000)]
        with lock:
            seen.extend(ids)

    threads = [threading.Thread(target=make) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(seen)) == 16000
    assert all(i.startswith("COOP-") and 3 <= len(i) <= 64 for i in seen)


@pytest.mark.parametrize("prefix", ["", "has space", "x" * 21])
def test_bad_prefix_is_refused(prefix: str) -> None:
    with pytest.raises(ValueError, match="prefix"):
        TransactionIds(prefix)
