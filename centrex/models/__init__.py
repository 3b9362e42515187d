"""SQLAlchemy 2 typed models of the core."""
from centrex.models.account import Account
from centrex.models.audit import AuditEntry
from centrex.models.device import Device
from centrex.models.fax import Fax, FaxBox
from centrex.models.number import DESTINATION_TYPES, Number
from centrex.models.outbox import OutboxAttachment, OutboxMessage
from centrex.models.tenant import Tenant
from centrex.models.user import User

__all__ = ["Account", "AuditEntry", "Device", "DESTINATION_TYPES", "Fax", "FaxBox", "Number", "OutboxAttachment",
           "OutboxMessage", "Tenant", "User"]
