"""Ticket-system adapters: what driftline needs to know to test a ticket system.

``load_system(name_or_file)`` returns a :class:`~driftline.systems.model.System`; the shipped
adapters are ``refsys`` (driftline's reference system, the default) and ``rt`` (Request
Tracker 5). A user's own system is a YAML file of the same shape (README: "Test your own ticket
system").
"""

from driftline.systems.load import builtin_names, load_system, parse_system
from driftline.systems.model import Stage, System

__all__ = ["Stage", "System", "builtin_names", "load_system", "parse_system"]
