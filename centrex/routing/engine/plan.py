"""Plain values the engine reads (a tenant's configuration, a call) and writes (a plan of steps).

Nothing here knows FreeSWITCH or the database: the loader fills these from rows, the xml_curl adapter
renders plans into dialplan XML (FreeSWITCH's applications and variables), the dry run turns them into
JSON."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from centrex.routing.engine.destinations import Dest

OUTCOMES = ("busy", "no_answer", "offline", "failed")


@dataclass(frozen=True, slots=True)
class UserEntry:
    id: int
    extension: str
    name: str
    max_calls: int = 2
    has_voicemail: bool = False
    call_class: str = "national"
    allow_premium: bool = False
    caller_id_mode: str = "direct"
    language: str | None = None
    mobile: str | None = None      # E.164
    twin_delay: int | None = None  # the mobile twin rings this many seconds after the phones (None: no twin)


@dataclass(frozen=True, slots=True)
class BoxSettings:
    """What a voicemail box plays: its language and the greeting uploaded in the console, if any."""
    language: str | None = None
    greeting: str | None = None    # file path as the switch opens it


@dataclass(frozen=True, slots=True)
class ForwardEntry:
    id: int
    user_id: int
    kind: str                      # always / busy / no_answer / offline
    dest: Dest
    enabled: bool = True
    ring_seconds: int | None = None
    schedule_id: int | None = None


@dataclass(frozen=True, slots=True)
class MemberEntry:
    user_id: int | None = None
    external: str | None = None    # E.164
    ring_seconds: int | None = None


@dataclass(frozen=True, slots=True)
class GroupEntry:
    id: int
    name: str
    strategy: str = "simultaneous"
    ring_seconds: int = 30
    members: tuple[MemberEntry, ...] = ()
    no_answer: Dest | None = None
    extension: str | None = None
    rotation: int = 0


@dataclass(frozen=True, slots=True)
class RangeEntry:
    days: int                      # bit 0 Monday … bit 6 Sunday
    start: int                     # minutes after local midnight
    end: int                       # 1..1440; end <= start: across midnight
    dest: Dest | None
    label: str | None = None


@dataclass(frozen=True, slots=True)
class ExceptionEntry:
    day: date
    dest: Dest | None = None       # None: the schedule's default destination
    yearly: bool = False
    label: str | None = None


@dataclass(frozen=True, slots=True)
class ScheduleEntry:
    id: int
    name: str
    ranges: tuple[RangeEntry, ...] = ()
    exceptions: tuple[ExceptionEntry, ...] = ()
    default: Dest | None = None
    closed: bool = False  # « Fermé maintenant »: the default destination, whatever the time


@dataclass(frozen=True, slots=True)
class ServiceTarget:
    """An IVR menu, queue, conference room, shared voicemail box or fax box, known by its row id;
    `key` is what its name on the switch is made of (room number, box number), `number` its short number."""
    kind: str
    id: int
    key: str
    label: str | None = None
    number: str | None = None


@dataclass(frozen=True, slots=True)
class RoutingSettings:
    """Operator-wide settings (from the app config), passed in with the tenant's configuration."""
    gateway: str = "carrier"
    ring_seconds: int = 30
    external_min_ring: int = 20    # a mobile takes 4-5 s to start ringing
    outbound_timeout: int = 90
    hop_limit: int = 12
    voicemail_access: str = "*97"  # what users dial to listen to their voicemail
    pickup_prefix: str = "**"      # + extension: pick up that phone's ringing call
    park_prefix: str = "*6"        # + slot 1-9: park the call there, or take back the call parked there


@dataclass(frozen=True, slots=True)
class TenantConfig:
    """Everything about one tenant the engine may consult, loaded before it runs."""
    tenant_id: int
    domain: str
    timezone: str = "Europe/Zurich"
    max_calls: int = 10
    name: str = ""
    country: str = "CH"
    users: dict[str, UserEntry] = field(default_factory=dict)          # by extension
    forwards: dict[int, tuple[ForwardEntry, ...]] = field(default_factory=dict)  # by user id
    groups: dict[int, GroupEntry] = field(default_factory=dict)
    schedules: dict[int, ScheduleEntry] = field(default_factory=dict)
    numbers: dict[str, Dest | None] = field(default_factory=dict)     # the tenant's DIDs, E.164
    main_number: str | None = None
    direct_numbers: dict[int, str] = field(default_factory=dict)      # user id -> E.164
    targets: dict[tuple[str, int], ServiceTarget] = field(default_factory=dict)
    queue_overflows: frozenset[int] = frozenset()  # queues with a destination after the maximum wait
    language: str = "fr"
    hold_music: int | None = None  # id of the company's default hold-music class (None: the switch's own)
    announcements: dict[str, str] = field(default_factory=dict)    # E.164 -> pre-answer file path
    boxes: dict[str, BoxSettings] = field(default_factory=dict)     # voicemail box id -> its settings
    # Company-wide call rights: the highest class any user gets, premium-rate numbers at all, and
    # E.164 prefixes refused to everyone, as (prefix, label) pairs.
    call_ceiling: str = "international"
    premium_allowed: bool = True
    blocked_prefixes: tuple[tuple[str, str], ...] = ()
    settings: RoutingSettings = field(default_factory=RoutingSettings)
    users_by_id: dict[int, UserEntry] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "users_by_id", {u.id: u for u in self.users.values()})

    def user_by_id(self, user_id: int | None) -> UserEntry | None:
        return None if user_id is None else self.users_by_id.get(user_id)


@dataclass(frozen=True, slots=True)
class Continuation:
    """A call back in the routing after ringing failed: how it failed and where each outcome goes
    (the fallbacks the previous plan stored on the call)."""
    outcome: str
    fallback: dict[str, Dest]
    hops: int = 0


@dataclass(frozen=True, slots=True)
class Call:
    context: str           # where the call is routed: a tenant's domain, or "public" (from the carrier)
    destination: str       # the number dialled
    caller: str = ""       # the caller's number, as it came
    caller_user: str | None = None  # the authenticated extension, when the caller is one of ours
    continuation: Continuation | None = None
    address: Dest | None = None     # a dialled `dest-…` address, as the loader resolved it (None: nothing)
    move_from: str | None = None    # the extension whose desk phone asked to move this call to their mobile


# --- plan steps -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Note:
    """Why a step is there, as a message key and its parameters (worded in French and English later)."""
    key: str
    params: tuple[tuple[str, object], ...] = ()

    @classmethod
    def of(cls, key: str, **params) -> Note:
        return cls(key, tuple(params.items()))


@dataclass(frozen=True, slots=True)
class Decision:
    """A choice the engine made (a schedule's range, a forwarding rule): explained, nothing to execute."""


@dataclass(frozen=True, slots=True)
class EnterTenant:
    """A carrier's call belongs to this tenant from now on: its directory domain and its calls' context."""
    domain: str


@dataclass(frozen=True, slots=True)
class StampTenant:
    """Mark the call and every leg it makes with the tenant (call records, accounting)."""
    tenant_id: int
    domain: str


@dataclass(frozen=True, slots=True)
class KeepLimits:
    """The calls counted by the Limit steps so far stay counted when the call moves on (transfer)."""


@dataclass(frozen=True, slots=True)
class HoldMusic:
    """The hold-music class every leg of the call plays to a party put on hold."""
    class_id: int


@dataclass(frozen=True, slots=True)
class Limit:
    """Count the call against a cap: the tenant's (`scope` "tenant", `owner` its domain) or a user's
    ("user", the extension). Above `max` calls at once, the call is refused with `cause`."""
    scope: str
    owner: str
    max: int
    cause: str = "USER_BUSY"


@dataclass(frozen=True, slots=True)
class Leg:
    kind: str              # "user" (a registered phone of the tenant) or "external" (via the carrier)
    address: str           # extension, or E.164 number
    ring_seconds: int
    label: str = ""
    caller_id: str | None = None   # external legs: the number presented
    delay: int = 0                 # seconds after the other legs it starts ringing (a mobile twin)


@dataclass(frozen=True, slots=True)
class Ring:
    """Ring legs (all at once, or one after the other) and, when nobody answers, go where `fallback`
    says for that outcome (busy / no_answer / offline / failed). No fallback: the call ends."""
    legs: tuple[Leg, ...]
    mode: str = "simultaneous"
    timeout: int = 30
    fallback: tuple[tuple[str, Dest], ...] = ()
    hops: int = 0
    caller_id_name: str | None = None
    move_from: str | None = None   # the user who may move the answered call to their mobile (desk phone: *1)


@dataclass(frozen=True, slots=True)
class MoveToMobile:
    """Call the user's mobile and, when it answers, take the call over from their desk phone (which is
    released); the other party stays connected and hears nothing of it meanwhile."""
    number: str            # E.164
    caller_id: str | None = None
    ring_seconds: int = 30


@dataclass(frozen=True, slots=True)
class AccessPrompt:
    """A company's access number answers a user's mobile: it asks the user's voicemail PIN and the number
    to call, then the call goes on as if the user dialled it from their desk (the PIN checked first)."""
    extension: str


@dataclass(frozen=True, slots=True)
class Transfer:
    number: str
    context: str


@dataclass(frozen=True, slots=True)
class Voicemail:
    box: str
    check: bool = False            # True: the owner listens to their messages (else: leave one)
    language: str | None = None    # the prompts' language
    greeting: str | None = None    # an uploaded greeting, played instead of the one recorded by phone


@dataclass(frozen=True, slots=True)
class Pickup:
    """Answer a call that is ringing someone else's phone of the tenant (BLF / pickup prefix)."""
    extension: str


@dataclass(frozen=True, slots=True)
class Park:
    """Call park (the phones' park key): the call waits on this slot of the company's parking lot; dialling
    the same slot again takes it back (FreeSWITCH's valet_park)."""
    slot: str


@dataclass(frozen=True, slots=True)
class Announcement:
    """A message played in early media before the number's destination rings ("pré-décroché"): the call
    is not answered, so the caller is not charged for it; ringback follows."""
    path: str


@dataclass(frozen=True, slots=True)
class Application:
    """A service the switch runs itself once the call is answered: a menu, a queue, a conference room."""
    kind: str              # ivr / queue / conference
    id: int                # the menu's, queue's or room's row
    key: str               # what its name is made of (ServiceTarget.key: the room's number…)
    then: str | None = None  # queues: the `dest-queue_after-<id>` address dialled after the maximum wait
    language: str | None = None  # the prompts' language (conference: "you are muted", "you are alone"…)


@dataclass(frozen=True, slots=True)
class ReceiveFax:
    """Receive a fax into a fax box (where the fax is written, and how, is the renderer's business)."""
    box_id: int
    ident: str | None = None       # the number the fax was sent to
    header: str = ""               # the page header: the company's name


@dataclass(frozen=True, slots=True)
class PlayError:
    """Tell the caller the call cannot go through (special information tone), then hang up."""
    cause: str = "UNALLOCATED_NUMBER"


@dataclass(frozen=True, slots=True)
class Hangup:
    cause: str = "NORMAL_CLEARING"


@dataclass(slots=True)
class Plan:
    tenant_id: int
    context: str
    domain: str = ""
    at: datetime | None = None
    gateway: str = "carrier"       # the operator's carrier gateway, for external legs
    steps: list = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    # For the dry run: what each Ring's fallback leads to, by step index -> [(outcomes, Plan)].
    branches: dict[int, list[tuple[tuple[str, ...], Plan]]] = field(default_factory=dict)
    rotations: set[int] = field(default_factory=set)   # round-robin groups to advance once rung

    def then(self, step, note: Note) -> Plan:
        self.steps.append(step)
        self.notes.append(note)
        return self

    @property
    def last(self):
        return self.steps[-1] if self.steps else None
