"""What can go wrong with a request, in business terms; the API maps each to a status."""

from __future__ import annotations


class DomainError(Exception):
    """Base of the customer domain's errors."""


class CustomerNotFound(DomainError):
    """No such customer, or it was deleted."""


class ContactNotFound(DomainError):
    """The customer has no contact with that id."""


class DuplicateAccountName(DomainError):
    """Another customer already has this account name, compared without regard to case."""


class StaleVersion(DomainError):
    """The caller's `If-Match` names a version that is no longer current."""


class RestrictedCaller(DomainError):
    """A caller restricted to customer groups asked for what only one who sees every
    customer may do (set a customer's groups)."""


class OutcomeUnknown(DomainError):
    """The database's answer to a change was lost: it may be stored or not (if it is, its
    events are published); read the customer again before changing it."""


class InvalidField(DomainError):
    """A field breaks a rule that depends on configuration (e.g. storage region)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class StillLoading(DomainError):
    """This instance is still reading the customers list or the usage it holds in memory
    after a start; it answers in a moment."""
