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


def test_a_forked_process_stamps_its_own_pid() -> None:
    import os

    trids = TransactionIds("BUR")
    parent = trids.next().split("-")[2]
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child writes one id and leaves without running pytest's teardown
        os.write(write, trids.next().encode())
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    child = os.read(read, 100).decode().split("-")[2]
    os.close(read)
    assert parent == f"{os.getpid() & 0xFFFF:04x}"
    assert child == f"{pid & 0xFFFF:04x}" and child != parent
