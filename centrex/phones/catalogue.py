"""The desk phones we provision: one row per model with its programmable keys, its expansion modules and
the file names its firmware asks for. A device's model is one of these (anything else is refused with
the list). Sources, named per row:
- WAZO_Y = wazo-provd-plugins plugins/wazo-yealink/v86: models.py (models), entry.py COMMON_FILES
  (y000000000NNN.cfg codes), common.py _NB_LINEKEY (line keys) and _expmod_by_model (EXP40: T46S/T48S,
  40 keys x 6; EXP50: every T5x, 60 keys x 3; none for T3x, T41S/T42S, T4xU);
- FUSION_Y = FusionPBX resources/templates/provision/yealink/<model>/y000000000NNN.cfg (t41s 068, t42s 067,
  t46s 066, t48s 065, t42u 116, t43u 107, t46u 108, t48u 109, t31g 123, t33g 124, t53w 095, t54w 096,
  t57w 097, t58w 150);
- EXP43 = Yealink EXP43 data sheet: 20 keys on 3 pages (60 a module), up to 3 modules, on T43U/T46U/T48U
  (wazo gives T4xU no module: the reference for the numbering is the module's own page layout);
- WAZO_S = wazo-provd-plugins plugins/wazo-snom (common.py: snom<MODEL>.htm / snom<MODEL>-<MAC>.htm files,
  fkey idx from 0); FUSION_S = FusionPBX resources/templates/provision/snom/<model>/{$mac}.xml (D785 up to
  78 fkeys = 24 on the phone + 3 D7 modules of 18; D385 up to 101);
- D7 / D3 = Snom D7 / D3 expansion module data sheets (18 keys; D7 up to 3, D3 up to 3)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from centrex.platform.errors import N_, Invalid

WAZO_Y = "wazo-provd-plugins wazo-yealink v86 (models.py, entry.py, common.py)"
FUSION_Y = "FusionPBX provision/yealink/<model>/y000000000NNN.cfg"
EXP43 = "Yealink EXP43 data sheet"
WAZO_S = "wazo-provd-plugins wazo-snom (common.py, templates)"
FUSION_S = "FusionPBX provision/snom/<model>/{$mac}.xml"
SNOM_SHEET = "Snom data sheet (function keys, D7/D3 module)"


@dataclass(frozen=True)
class Module:
    name: str
    keys: int  # keys on one module (all its pages)
    max_modules: int


EXP40, EXP43_MODULE, EXP50 = Module("EXP40", 40, 6), Module("EXP43", 60, 3), Module("EXP50", 60, 3)
SNOM_D7, SNOM_D3 = Module("D7", 18, 3), Module("D3", 18, 3)


@dataclass(frozen=True)
class PhoneModel:
    vendor: str
    name: str
    keys: int  # programmable keys on the phone itself (Yealink linekey.N; Snom fkey idx 0..keys-1)
    module: Module | None
    common_code: str | None  # Yealink: the NNN of y000000000NNN.cfg its firmware fetches
    source: str

    @property
    def total_keys(self) -> int:
        return self.keys + (self.module.keys * self.module.max_modules if self.module else 0)

    @property
    def files(self) -> tuple[str, ...]:
        """The file names the phone asks for (MAC as a placeholder)."""
        if self.vendor == "snom":
            return (f"snom{self.name}.htm", f"snom{self.name}-<MAC>.htm", "snom-<MAC>.xml")
        common = (f"y000000000{self.common_code}.cfg",) if self.common_code else ()
        return (*common, "<mac>.cfg")


def _y(name, keys, module, code, source=f"{WAZO_Y}; {FUSION_Y}"):
    return PhoneModel("yealink", name, keys, module, code, source)


def _s(name, keys, module, source=f"{WAZO_S}; {FUSION_S}; {SNOM_SHEET}"):
    return PhoneModel("snom", name, keys, module, None, source)


MODELS: tuple[PhoneModel, ...] = (
    # Yealink T3x: one firmware (wazo COMMON_FILES 123/124/127); T31G 123, T33G 124 (FusionPBX).
    _y("T30", 0, None, "127", WAZO_Y), _y("T30P", 0, None, "127", WAZO_Y),
    _y("T31", 2, None, "123", WAZO_Y), _y("T31P", 2, None, "123", WAZO_Y), _y("T31G", 2, None, "123"),
    _y("T33P", 4, None, "124", WAZO_Y), _y("T33G", 4, None, "124"),
    # Yealink T4xS (wazo 065-068) and T4xU (wazo 108, FusionPBX per model).
    _y("T41S", 15, None, "068"), _y("T42S", 15, None, "067"),
    _y("T46S", 27, EXP40, "066"), _y("T48S", 29, EXP40, "065"),
    _y("T41U", 15, None, None, WAZO_Y), _y("T42U", 15, None, "116"),
    _y("T43U", 15, EXP43_MODULE, "107", f"{WAZO_Y}; {FUSION_Y}; {EXP43}"),
    _y("T46U", 27, EXP43_MODULE, "108", f"{WAZO_Y}; {FUSION_Y}; {EXP43}"),
    _y("T48U", 29, EXP43_MODULE, "109", f"{WAZO_Y}; {FUSION_Y}; {EXP43}"),
    # Yealink T5x (wazo COMMON_FILES_DECT 095-097, 150; EXP50 for every T5x).
    _y("T53", 21, EXP50, "095", WAZO_Y), _y("T53W", 21, EXP50, "095"),
    _y("T54W", 27, EXP50, "096"), _y("T57W", 29, EXP50, "097"), _y("T58W", 27, EXP50, "150"),
    # Snom D3xx and D7xx (FusionPBX has a template for each).
    _s("D315", 4, None), _s("D345", 12, SNOM_D3), _s("D375", 12, SNOM_D3), _s("D385", 12, SNOM_D3),
    _s("D712", 4, None), _s("D715", 5, SNOM_D7), _s("D717", 6, SNOM_D7), _s("D725", 18, SNOM_D7),
    _s("D735", 32, SNOM_D7), _s("D745", 32, SNOM_D7), _s("D765", 16, SNOM_D7), _s("D785", 24, SNOM_D7),
)
BY_KEY = {(model.vendor, model.name): model for model in MODELS}


def find(vendor: str, name: str | None) -> PhoneModel | None:
    return BY_KEY.get((vendor, (name or "").upper()))


def names(vendor: str) -> list[str]:
    return [model.name for model in MODELS if model.vendor == vendor]


def common_codes() -> set[str]:
    return {model.common_code for model in MODELS if model.common_code}


def first_model_for_code(code: str) -> PhoneModel | None:
    return next((model for model in MODELS if model.common_code == code), None)


def checked(vendor: str, name: str) -> str:
    """The catalogue's spelling of `name`, else Invalid listing the vendor's models."""
    model = find(vendor, name)
    if model is None:
        supported = ", ".join(names(vendor)) or "-"
        raise Invalid(N_("Unknown model %(model)s. Supported: %(models)s."), model=name, models=supported,
                      fields={"model": [N_("Not a supported model.")]})
    return model.name


# "Yealink SIP-T46U 108.86.0.45 80:5e:c0:..." (wazo-yealink common.py); "... snomD785-SIP 10.1.33.33 ..."
# (wazo-snom common.py): the model a phone names when it asks for its file.
_USER_AGENTS = {"yealink": re.compile(r"[yY]ealink\s+SIP(?: VP)?-(\w+)\s"),
                "snom": re.compile(r"snom(\w+)-SIP\s")}


def model_from_user_agent(vendor: str, user_agent: str | None) -> str | None:
    """The model named in a phone's User-Agent (the catalogue's spelling when we know it)."""
    pattern = _USER_AGENTS.get(vendor)
    match = pattern.search(user_agent or "") if pattern else None
    if match is None:
        return None
    model = find(vendor, match.group(1))
    return model.name if model else match.group(1)[:32]
