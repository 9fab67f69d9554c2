"""Errors of the ticket service; the API maps each to a 4xx status with its message."""

from __future__ import annotations


class TicketError(Exception):
    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(TicketError):
    status = 404


class Forbidden(TicketError):
    """The caller may not act on this ticket (a customer acting on another's ticket)."""

    status = 403


class Conflict(TicketError):
    """The ticket is not in a state that allows the request."""

    status = 409


class Invalid(TicketError):
    status = 422
