"""A desk phone, known by its MAC address, and the programmable keys we put on it."""
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from centrex.models._types import created_at_column
from centrex.platform.db import Base

VENDORS = ("yealink", "snom")
# The seed's "Type de transfert": aveugle, avec annonce, nouvel appel, optionnel (semi-attended).
TRANSFER_MODES = ("blind", "attended", "new_call", "semi_attended")
KEY_KINDS = ("line", "blf", "speed_dial", "dnd", "forward", "voicemail", "park", "transfer")
# A park key's number is its slot (1-9: the phones dial the park code + slot); a transfer key's, where to.
KIND_CHECK = "kind IN ('line', 'blf', 'speed_dial', 'dnd', 'forward', 'voicemail', 'park', 'transfer')"
NUMBER_CHECK = "kind NOT IN ('park', 'transfer') OR number IS NOT NULL"


class Device(Base):
    __tablename__ = "device"
    __table_args__ = (
        CheckConstraint("vendor IN ('yealink', 'snom')", name="vendor"),
        CheckConstraint("length(mac) = 12", name="mac_length"),
        CheckConstraint("transfer_mode IN ('blind', 'attended', 'new_call', 'semi_attended')",
                        name="transfer_mode"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mac: Mapped[str] = mapped_column(String(12), unique=True)  # 12 lowercase hex digits
    vendor: Mapped[str] = mapped_column(String(16))
    model: Mapped[str] = mapped_column(String(32))
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="RESTRICT"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("sip_user.id", ondelete="SET NULL"), index=True)
    label: Mapped[str | None] = mapped_column(String(120))
    transfer_mode: Mapped[str] = mapped_column(String(16), default="attended")
    # Optional firmware pinning: the image URL the phone must run (None: leave the firmware alone).
    firmware_url: Mapped[str | None] = mapped_column(String(255))
    # The phone proves who it is with HTTP basic auth: user = MAC, password = this per-device token.
    # Encrypted (the phone's files carry it) and hashed (checked on every fetch without decrypting).
    prov_token_enc: Mapped[str | None] = mapped_column(String(512))
    prov_token_hash: Mapped[str | None] = mapped_column(String(64))
    # While set and in the future, the phone may fetch once without credentials (first boot, factory reset).
    bootstrap_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The phone's own web admin password, set by us (encrypted, shown to the admin on demand).
    admin_password_enc: Mapped[str | None] = mapped_column(String(512))
    # Seen on the network (for the network map): only from authenticated or bootstrap fetches.
    last_ip: Mapped[str | None] = mapped_column(String(64))
    last_user_agent: Mapped[str | None] = mapped_column(String(255))
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_provisioned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at_column()

    keys: Mapped[list["DeviceKey"]] = relationship(
        back_populates="device", cascade="all, delete-orphan", order_by="DeviceKey.position",
        passive_deletes=True)

    def __repr__(self) -> str:
        return f"<Device {self.vendor} {self.mac}>"


def _key_checks() -> tuple[CheckConstraint, ...]:
    """What every key row holds to, a phone's own or the company's default layout."""
    return (
        CheckConstraint(KIND_CHECK, name="kind"),
        CheckConstraint("position > 0", name="position_positive"),
        CheckConstraint("kind != 'blf' OR target_user_id IS NOT NULL", name="blf_needs_target"),
        CheckConstraint("kind != 'speed_dial' OR number IS NOT NULL", name="speed_dial_needs_number"),
        CheckConstraint(NUMBER_CHECK, name="park_transfer_need_number"),
    )


class DeviceKey(Base):
    """One programmable key: a line, a BLF on a colleague, a speed dial, DND, forward, voicemail, call
    park (on a slot) or transfer (to a number)."""
    __tablename__ = "device_key"
    __table_args__ = (UniqueConstraint("device_id", "position"), *_key_checks())

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="RESTRICT"), index=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("device.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # 1-based, in the order of the phone's keys
    kind: Mapped[str] = mapped_column(String(16))
    target_user_id: Mapped[int | None] = mapped_column(ForeignKey("sip_user.id", ondelete="CASCADE"), index=True)
    number: Mapped[str | None] = mapped_column(String(32))
    label: Mapped[str | None] = mapped_column(String(64))

    device: Mapped[Device] = relationship(back_populates="keys")


class DefaultKey(Base):
    """One key of the company's default layout: every new phone starts with it (the keys its model has),
    and the administrator may apply it to phones that exist (centrex.phones.layouts)."""
    __tablename__ = "default_key"
    __table_args__ = (UniqueConstraint("tenant_id", "position"), *_key_checks())

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # the phone's own keys only (never a module's)
    kind: Mapped[str] = mapped_column(String(16))
    target_user_id: Mapped[int | None] = mapped_column(ForeignKey("sip_user.id", ondelete="CASCADE"), index=True)
    number: Mapped[str | None] = mapped_column(String(32))
    label: Mapped[str | None] = mapped_column(String(64))


DTMF_MODES = ("rfc2833", "sip_info", "inband")
SRTP_MODES = ("off", "optional", "mandatory")
CODECS = ("g722", "pcma", "pcmu", "g729", "opus")


class PhoneSettings(Base):
    """The operator's choices for one company's phones, each overriding its CENTREX_PROV_* default
    (None: the operator-wide setting). Every file of the company's phones uses them."""
    __tablename__ = "phone_settings"
    __table_args__ = (
        CheckConstraint("register_expiry BETWEEN 60 AND 86400", name="register_expiry_range"),
        CheckConstraint("dtmf IN ('rfc2833', 'sip_info', 'inband')", name="dtmf"),
        CheckConstraint("srtp IN ('off', 'optional', 'mandatory')", name="srtp"),
    )

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"), primary_key=True)
    register_expiry: Mapped[int | None] = mapped_column(Integer)  # seconds
    dtmf: Mapped[str | None] = mapped_column(String(16))
    codecs: Mapped[str | None] = mapped_column(String(64))  # comma-separated, in order of preference
    srtp: Mapped[str | None] = mapped_column(String(16))
