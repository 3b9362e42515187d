"""SQLAlchemy 2 typed models of the core."""
from centrex.models.account import Account
from centrex.models.audit import AuditEntry
from centrex.models.cdr import CallRecord, CdrJournal, CdrProblem
from centrex.models.device import Device
from centrex.models.live import LiveChannel, LiveRegistration
from centrex.models.number import DESTINATION_TYPES, Number
from centrex.models.tenant import Tenant
from centrex.models.user import User

__all__ = ["Account", "AuditEntry", "CallRecord", "CdrJournal", "CdrProblem", "Device", "DESTINATION_TYPES",
           "LiveChannel", "LiveRegistration", "Number", "Tenant", "User"]
