"""A customer's backup sets by id, as read from storage: each set is decoded only when
asked for, and the table's counts and orders read the sets' keys alone (`SetKey`).

A view of a customer with many sets shows one page of them, so decoding them all (their
latest jobs) would be most of its cost (bench/results.md, the cold SLA view). Here a read
keeps each stored set as its key and its stored form, decodes those of the page, and a
save writes again the stored form of every set it did not change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping

from sla_svc.domain.backup_sets import BackupSet, SetKey

Decode = Callable[[bytes], BackupSet]


class SetTable(MutableMapping[str, BackupSet]):
    """Sets by id: those given, and those stored (key and stored form, decoded by
    `decode` on first use)."""

    def __init__(
        self,
        sets: Mapping[str, BackupSet] | None = None,
        stored: Mapping[str, tuple[SetKey, bytes]] | None = None,
        decode: Decode | None = None,
    ) -> None:
        self._stored: dict[str, tuple[SetKey, bytes]] = dict(stored or {})
        """Sets as stored, unchanged since."""
        self._sets: dict[str, BackupSet] = dict(sets or {})
        """Sets changed (not in `_stored`) or decoded (also there)."""
        self._decode = decode
        for set_id in self._sets:
            self._stored.pop(set_id, None)

    def __getitem__(self, set_id: str) -> BackupSet:
        found = self._sets.get(set_id)
        if found is not None:
            return found
        _, form = self._stored[set_id]
        assert self._decode is not None, "a table with stored sets is given their decoder"
        found = self._sets[set_id] = self._decode(form)
        return found

    def __setitem__(self, set_id: str, backup_set: BackupSet) -> None:
        self._sets[set_id] = backup_set
        self._stored.pop(set_id, None)

    def __delitem__(self, set_id: str) -> None:
        found = set_id in self._sets or set_id in self._stored
        self._sets.pop(set_id, None)
        self._stored.pop(set_id, None)
        if not found:
            raise KeyError(set_id)

    def __iter__(self) -> Iterator[str]:
        yield from self._stored
        yield from (set_id for set_id in self._sets if set_id not in self._stored)

    def __len__(self) -> int:
        return len(self._stored) + sum(1 for set_id in self._sets if set_id not in self._stored)

    def keys_of_all(self) -> Iterable[SetKey]:
        """Every set's key, without decoding a stored set."""
        for set_id in self:
            stored = self._stored.get(set_id)
            yield stored[0] if stored is not None else self._sets[set_id].key

    def stored(self, set_id: str) -> tuple[SetKey, bytes] | None:
        """The set's key and stored form, if it has not changed since it was read."""
        return self._stored.get(set_id)
