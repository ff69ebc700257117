"""A small bounded cache of values computed from objects that have no useful hash (a lesson, a case)."""
from __future__ import annotations

import operator
import threading
from collections import OrderedDict
from typing import Callable, Generic, Hashable, TypeVar

T = TypeVar("T")


class IdentityCache(Generic[T]):
    """Values computed once per tuple of objects (by identity) and a hashable key, least recently used
    first out. An entry holds its objects, so their ids stay theirs while it lives. Thread-safe; the value
    is computed outside the lock (two threads may both compute it; one result is kept)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple[tuple[int, ...], Hashable], tuple[tuple[object, ...], T]] = OrderedDict()

    def get(self, owners: tuple[object, ...], key: Hashable, make: Callable[[], T]) -> T:
        full = (tuple(map(id, owners)), key)
        with self._lock:
            entry = self._entries.get(full)
            if entry is not None and all(map(operator.is_, entry[0], owners)):
                self._entries.move_to_end(full)
                return entry[1]
        value = make()
        with self._lock:
            self._entries[full] = (owners, value)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return value
