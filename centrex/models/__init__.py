"""SQLAlchemy 2 typed models of the core."""
from centrex.models.account import Account, ConsoleSession  # noqa: F401 (console sessions)
from centrex.models.api import (ApiCall, ApiIdempotentAnswer, ApiRateWindow, ApiToken, WebhookAttempt,  # noqa: F401 (JSON API)
                                WebhookDelivery, WebhookEvent, WebhookSubscription)
from centrex.models.audit import AuditEntry
from centrex.models.branding import Branding  # noqa: F401 (console white label)
from centrex.models.cdr import CallRecord, CdrJournal, CdrProblem
from centrex.models.device import DefaultKey, Device, DeviceKey, PhoneSettings
from centrex.models.fax import Fax, FaxBox
from centrex.models.live import LiveChannel, LiveRegistration
from centrex.models.login_attempt import LoginAttempt  # noqa: F401 (console login throttle)
from centrex.models.number import DESTINATION_TYPES, Number
from centrex.models.outbox import OutboxAttachment, OutboxMessage
from centrex.models.phonebook import PhonebookEntry
from centrex.models.provisioning import ProvisioningDownload, ProvisioningLockout, UnknownDevice
from centrex.models.routing import (ForwardRule, RingGroup, RingGroupMember, Schedule,  # noqa: F401
                                    ScheduleException, ScheduleRange)
from centrex.models.tenant import Tenant
from centrex.models.user import User
from centrex.models.audio import AudioFile, MohClass, NumberAnnouncement  # noqa: F401
from centrex.models.ivr import IvrEntry, IvrMenu  # noqa: F401
from centrex.models.voicemail import UserVoicemail, VoicemailBox, VoicemailMessage  # noqa: F401
from centrex.models.conference import ConferenceRoom  # noqa: F401
from centrex.models.queue import CallQueue, QueueAgent  # noqa: F401
from centrex.models.role import Role, RolePermission  # noqa: F401 (console custom roles)
from centrex.models.licence import LicensedFeature  # noqa: F401 (optional services per client)
from centrex.models.call_rights import BlockedPrefix, CallPolicy  # noqa: F401 (allowed call destinations)
from centrex.models.messaging import ChatMessage, Conversation, ConversationMember  # noqa: F401 (instant messaging)
from centrex.models.sip_credentials import SIP_CREDENTIALS_VIEW  # noqa: F401 (the registrar's view, Kamailio)

__all__ = ["Account", "AuditEntry", "CallRecord", "CdrJournal", "CdrProblem", "DefaultKey", "Device", "DeviceKey",
           "DESTINATION_TYPES", "Fax", "FaxBox", "LiveChannel", "LiveRegistration", "Number", "OutboxAttachment",
           "OutboxMessage", "PhonebookEntry", "PhoneSettings", "ProvisioningDownload", "ProvisioningLockout", "Tenant",
           "UnknownDevice", "User"]
from centrex.models.switch_node import SwitchNode  # noqa: F401 (FreeSWITCH nodes behind the edge, Kamailio)
