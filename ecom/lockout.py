"""Password guessing limits, counted per client address.

After each failed password from an address, that address waits before its next try is even
checked: 1 s, 2 s, 4 s ... up to 60 s. After `MAX_FAILURES` failures in a row it is locked out
for `LOCKOUT_S`. A success clears the address. The table is bounded, so a flood of addresses
cannot fill memory (the oldest entries go first).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

MAX_FAILURES = 10
LOCKOUT_S = 15 * 60
MAX_DELAY_S = 60
MAX_ADDRESSES = 10_000


@dataclass
class _Entry:
    failures: int = 0
    not_before: float = 0.0  # monotonic time before which the next try is refused unchecked


class Lockout:
    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, _Entry] = OrderedDict()

    def wait_s(self, address: str) -> float:
        """Seconds `address` must still wait before a try is checked (0: go ahead)."""
        with self._lock:
            entry = self._entries.get(address)
            return max(0.0, entry.not_before - self._clock()) if entry else 0.0

    def failed(self, address: str) -> int:
        """Count a failure; returns the failures in a row from this address."""
        with self._lock:
            entry = self._entries.pop(address, None) or _Entry()
            entry.failures += 1
            delay = LOCKOUT_S if entry.failures >= MAX_FAILURES else min(MAX_DELAY_S, 2 ** (entry.failures - 1))
            entry.not_before = self._clock() + delay
            self._entries[address] = entry
            while len(self._entries) > MAX_ADDRESSES:
                self._entries.popitem(last=False)
            return entry.failures

    def succeeded(self, address: str) -> None:
        with self._lock:
            self._entries.pop(address, None)

    def locked(self, address: str) -> bool:
        with self._lock:
            entry = self._entries.get(address)
            return bool(entry and entry.failures >= MAX_FAILURES and entry.not_before > self._clock())
