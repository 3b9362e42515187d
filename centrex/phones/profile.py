"""What a phone's files are made of: the device as a fetch reads it in one query (Phone, its stored inputs in
PhoneFile) and the plain data the vendor templates get (DeviceProfile, secrets decrypted)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app

from centrex.directory.users import secret_box


@dataclass(frozen=True)
class PhoneKey:
    position: int
    kind: str
    label: str | None
    number: str | None
    target_extension: str | None  # a BLF key's colleague, joined inside the device's tenant only
    target_name: str | None


@dataclass(frozen=True)
class PhoneFile:
    """Every stored value a phone's files depend on, secrets still encrypted (a new secret is a new
    ciphertext): two equal PhoneFiles make the same files, with the same settings and base URL."""
    mac: str
    vendor: str
    model: str
    transfer_mode: str
    firmware_url: str | None
    prov_token_enc: str | None = field(repr=False)
    admin_password_enc: str | None = field(repr=False)
    tenant_domain: str
    tenant_name: str
    timezone: str
    tenant_language: str | None
    country: str
    extension: str | None  # the device's user (None: no user)
    user_name: str | None
    user_language: str | None
    user_enabled: bool | None
    sip_secret_enc: str | None = field(repr=False)
    # The operator's settings for this company's phones (None: the CENTREX_PROV_* default).
    register_expiry: int | None = None
    dtmf: str | None = None
    codecs: str | None = None  # comma-separated, in order
    srtp: str | None = None
    keys: tuple[PhoneKey, ...] = ()


@dataclass
class SipAccount:
    extension: str
    display_name: str
    domain: str
    password: str = field(repr=False)


@dataclass
class KeyView:
    position: int
    kind: str
    label: str
    number: str | None = None  # speed dial number, or the BLF target's extension


@dataclass
class DeviceProfile:
    """Plain data for the vendor templates."""
    mac: str
    vendor: str
    model: str
    tenant_domain: str
    tenant_name: str
    timezone: str
    language: str
    country: str
    transfer_mode: str
    firmware_url: str | None
    admin_password: str = field(repr=False)
    prov_username: str = ""
    prov_token: str = field(default="", repr=False)
    account: SipAccount | None = None
    keys: list[KeyView] = field(default_factory=list)
    settings: dict = field(default_factory=dict)


def profile_settings() -> dict:
    """The operator's settings every phone file uses (from the app config)."""
    cfg = current_app.config
    return {
        "sip_outbound_proxy": cfg.get("PROV_SIP_OUTBOUND_PROXY") or "",
        "sip_port": cfg.get("PROV_SIP_PORT", 5060),
        "sip_transport": cfg.get("PROV_SIP_TRANSPORT", "udp"),
        "ntp_server": cfg.get("PROV_NTP_SERVER", "pool.ntp.org"),
        "voicemail_number": cfg.get("PROV_VOICEMAIL_NUMBER", "*97"),
        "pickup_prefix": cfg.get("PROV_PICKUP_PREFIX", "**"),
        "park_prefix": cfg.get("PROV_PARK_PREFIX", "*6"),
        # Set explicitly in every file rather than left to the firmware's defaults (one place: the config).
        "register_expiry": int(cfg.get("PROV_REGISTER_EXPIRY", 600)),
        "dtmf": cfg.get("PROV_DTMF", "rfc2833"),  # rfc2833, sip_info or inband
        "codecs": tuple(cfg.get("PROV_CODECS", ("g722", "pcma", "pcmu"))),  # in order of preference
        "srtp": cfg.get("PROV_SRTP", "off"),  # off, optional or mandatory
    }


def company_settings(settings: dict, file: PhoneFile) -> dict:
    """The operator's defaults with this company's own choices in their place."""
    own = {"register_expiry": file.register_expiry, "dtmf": file.dtmf, "srtp": file.srtp,
           "codecs": tuple(file.codecs.split(",")) if file.codecs else None}
    return {**settings, **{name: value for name, value in own.items() if value is not None}}


def build_profile(file: PhoneFile, settings: dict | None = None, *, token: str | None = None) -> DeviceProfile:
    """Everything the phone's files say, from its stored inputs only (secrets decrypted here). `token`:
    the provisioning token the phone has just proved it holds (its hash matched), so not decrypted again."""
    box = secret_box()
    account = None
    if file.extension is not None and file.user_enabled:
        account = SipAccount(file.extension, file.user_name, file.tenant_domain, box.decrypt(file.sip_secret_enc))
    keys = []
    for key in file.keys:
        if key.kind == "blf":
            if key.target_extension is not None:
                keys.append(KeyView(key.position, "blf", key.label or key.target_name, key.target_extension))
            continue
        keys.append(KeyView(key.position, key.kind, key.label or "", key.number))
    return DeviceProfile(
        mac=file.mac, vendor=file.vendor, model=file.model, tenant_domain=file.tenant_domain,
        tenant_name=file.tenant_name, timezone=file.timezone,
        language=file.user_language or file.tenant_language or "fr", country=file.country,
        transfer_mode=file.transfer_mode, firmware_url=file.firmware_url,
        admin_password=box.decrypt(file.admin_password_enc) if file.admin_password_enc else "",
        prov_username=file.mac,
        prov_token=token if token is not None else box.decrypt(file.prov_token_enc) if file.prov_token_enc else "",
        account=account, keys=keys,
        settings=company_settings(settings if settings is not None else profile_settings(), file))


@dataclass(frozen=True)
class Phone:
    """One device as a fetch sees it: who it is (authentication, network map) and, in `file`, everything
    its files are made of, as stored (secrets still encrypted)."""
    id: int
    tenant_id: int
    user_id: int | None
    prov_token_hash: str | None = field(repr=False)
    bootstrap_until: datetime | None
    last_ip: str | None
    last_user_agent: str | None
    last_seen_at: datetime | None
    last_provisioned_at: datetime | None
    file: PhoneFile

    @property
    def mac(self) -> str:
        return self.file.mac

    @property
    def vendor(self) -> str:
        return self.file.vendor
