"""The few domain errors that every interface (API, pages, admin, CLI) maps to a response."""

from __future__ import annotations


class DomainError(Exception):
    """Base class. `message` is meant for the person who caused it."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotPermitted(DomainError):
    """The actor's role or unit does not allow this action on this object."""


class NotFound(DomainError):
    """No such object, or none the actor may see (we do not tell the two apart)."""


class InvalidInput(DomainError):
    """A value is missing or malformed; `field` names it."""


class TooLarge(InvalidInput):
    """An input is larger than allowed (a file, or the files of one request together)."""


class InvalidTransition(DomainError):
    """The task is not in a state from which this transition may be taken."""


class Conflict(DomainError):
    """Someone else changed the object first; reload and try again."""


class RateLimited(DomainError):
    """Too many attempts of this kind in a short time (HTTP 429); try again later."""
