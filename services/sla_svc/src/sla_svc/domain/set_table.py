"""A customer's backup sets by id (`BackupSets`): a mapping whose table of sets is counted,
ordered and filtered by the sets' keys alone (`keys_of_all`, `SetKey`), so that storage may
keep the sets in a form it decodes only when one is asked for (a view shows one page)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, MutableMapping

from sla_svc.domain.backup_sets import BackupSet, SetKey


class BackupSets(MutableMapping[str, BackupSet], ABC):
    """Sets by id, with every set's key and a copy that a batch may change."""

    def keys_of_all(self) -> Iterable[SetKey]:
        """Every set's key."""
        return (self[set_id].key for set_id in self)

    @abstractmethod
    def copy(self) -> BackupSets:
        """A copy whose changes leave this table as it is (the sets are values)."""


class SetTable(BackupSets):
    """Sets by id, held as they are."""

    def __init__(self, sets: Mapping[str, BackupSet] | None = None) -> None:
        self._sets: dict[str, BackupSet] = dict(sets or {})

    def __getitem__(self, set_id: str) -> BackupSet:
        return self._sets[set_id]

    def __setitem__(self, set_id: str, backup_set: BackupSet) -> None:
        self._sets[set_id] = backup_set

    def __delitem__(self, set_id: str) -> None:
        del self._sets[set_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._sets)

    def __len__(self) -> int:
        return len(self._sets)

    def copy(self) -> SetTable:
        return SetTable(self._sets)
