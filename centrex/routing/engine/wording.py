"""The sentences people read about a plan (dry run, console "call scenario"), French first, then English."""
from __future__ import annotations

from centrex.routing.engine.plan import Note

OUTCOME_WORDS = {
    "busy": ("occupé", "busy"),
    "no_answer": ("pas de réponse", "no answer"),
    "offline": ("téléphone hors ligne", "phone offline"),
    "failed": ("échec", "failure"),
}

CLASS_WORDS = {
    "internal": ("interne seulement", "internal only"),
    "national": ("national", "national"),
    "mobile": ("mobiles", "mobile"),
    "international": ("international", "international"),
}

MESSAGES: dict[str, tuple[str, str]] = {
    "public_did": ("Le numéro {number} appartient à {tenant}.", "Number {number} belongs to {tenant}."),
    "tenant_stamp": ("L’appel est marqué au nom de {tenant} (compte, statistiques).",
                     "The call is stamped with {tenant} (account code, records)."),
    "keep_limits": ("Les compteurs d’appels restent acquis pendant les renvois.",
                    "Call counters are kept across transfers."),
    "tenant_limit": ("Au plus {max} appels externes simultanés pour l’entreprise, sinon refus.",
                     "At most {max} simultaneous external calls for the company, else refused."),
    "enter_tenant": ("L’appel continue dans le plan de numérotation {context} vers {number}.",
                     "The call continues in dialplan {context} to {number}."),
    "user_limit": ("Au plus {max} appels simultanés pour {name}, sinon occupé.",
                   "At most {max} simultaneous calls for {name}, else busy."),
    "own_number": ("{number} est un numéro de l’entreprise : traité en interne.",
                   "{number} is one of the company's numbers: routed internally."),
    "incoming_did": ("Appel reçu sur le numéro {number}.", "Call received on number {number}."),
    "number_unassigned": ("Le numéro {number} n’est attribué à aucune destination.",
                          "Number {number} points nowhere."),
    "unallocated": ("{number} n’est pas un numéro de {tenant} : tonalité d’erreur, fin d’appel.",
                    "{number} is not a number of {tenant}: error tone, call ends."),
    "continuation": ("L’essai précédent s’est terminé ({outcome}) : suite prévue.",
                     "The previous attempt ended ({outcome}): next step as configured."),
    "no_fallback": ("L’essai précédent s’est terminé ({outcome}) et rien n’est prévu : fin d’appel.",
                    "The previous attempt ended ({outcome}) and nothing follows: call ends."),
    "hop_limit": ("Plus de {limit} étapes : boucle coupée, fin d’appel.",
                  "More than {limit} hops: loop cut, call ends."),
    "voicemail": ("Messagerie vocale {box}.", "Voicemail box {box}."),
    "voicemail_greeting": ("Messagerie vocale {box}, avec l’annonce d’accueil enregistrée dans la console.",
                           "Voicemail box {box}, with the greeting uploaded in the console."),
    "announcement": ("Annonce jouée avant la sonnerie (pré-décroché, appel non facturé) pour le {number}.",
                     "Announcement played before ringing (early media, call not charged) for {number}."),
    "hold_music": ("Musique d’attente de l’entreprise pour les appels mis en attente.",
                   "The company's hold music for calls put on hold."),
    "voicemail_check": ("Consultation de la messagerie vocale {box}.", "Listening to voicemail box {box}."),
    "no_voicemail": ("{name} n’a pas de messagerie vocale : tonalité d’erreur.",
                     "{name} has no voicemail box: error tone."),
    "pickup": ("Intercepter l’appel qui sonne chez {name}.", "Pick up the call ringing {name}'s phone."),
    "park": ("Parquer l’appel sur la place {slot} (ou reprendre l’appel qui y attend).",
             "Park the call on slot {slot} (or take back the call waiting there)."),
    "hangup": ("Fin de l’appel ({cause}).", "Call ends ({cause})."),
    "forward_always": ("Renvoi permanent de {name} vers {target}.", "{name} forwards every call to {target}."),
    "ring_user": ("Sonner {name} ({extension}) pendant {seconds} s.",
                  "Ring {name} ({extension}) for {seconds} s."),
    "twin": ("Le mobile de {name}, {number}, sonne aussi, {delay} s après ses téléphones, pendant {seconds} s : "
             "le premier qui décroche prend l’appel.",
             "{name}'s mobile, {number}, rings too, {delay} s after their phones, for {seconds} s: whoever "
             "answers first takes the call."),
    "move_to_mobile": ("L’appel passe sur le mobile de {name}, {number} (sonne {seconds} s) : quand il répond, "
                       "le téléphone fixe est libéré, le correspondant reste en ligne.",
                       "The call moves to {name}'s mobile, {number} (rings {seconds} s): when it answers, the "
                       "desk phone is released and the other party stays on the line."),
    "access_prompt": ("Numéro d’accès : {number} est le mobile de {name} ; son code de messagerie, puis le "
                      "numéro à appeler, sont demandés ; l’appel part comme depuis son poste.",
                      "Access number: {number} is {name}'s mobile; their voicemail PIN, then the number to call "
                      "are asked; the call leaves as if from their desk."),
    "access_unknown": ("Numéro d’accès : {number} n’est le mobile d’aucun employé : appel refusé.",
                       "Access number: {number} is no employee's mobile: call refused."),
    "move_no_twin": ("Le poste {extension} n’a pas de mobile jumelé : l’appel reste sur le fixe.",
                     "Extension {extension} has no twin mobile: the call stays on the desk phone."),
    "twin_barred": ("Le mobile de {name}, {number}, ne sonne pas : ses droits d’appel ne le permettent pas.",
                    "{name}'s mobile, {number}, does not ring: their call rights do not allow it."),
    "twin_invalid": ("Le mobile de {name}, {number}, n’est pas un numéro appelable : il ne sonne pas.",
                     "{name}'s mobile, {number}, is not a number we can call: it does not ring."),
    "group_skips_origin": ("{name} ({extension}) ne sonne pas dans le groupe « {group} » : l’appel vient "
                           "de son renvoi.",
                           "{name} ({extension}) is not rung in group \"{group}\": the call comes from "
                           "their forwarding."),
    "group_empty": ("Le groupe « {name} » n’a aucun membre joignable.", "Group \"{name}\" has nobody to ring."),
    "ring_group_simultaneous": ("Groupe « {name} » : {count} téléphones sonnent ensemble, {seconds} s.",
                                "Group \"{name}\": {count} phones ring at once, {seconds} s."),
    "ring_group_sequential": ("Groupe « {name} » : {count} numéros l’un après l’autre, {seconds} s en tout.",
                              "Group \"{name}\": {count} numbers one after the other, {seconds} s in all."),
    "ring_group_round_robin": ("Groupe « {name} » : {count} numéros à tour de rôle (le premier change à "
                               "chaque appel), {seconds} s en tout.",
                               "Group \"{name}\": {count} numbers in turn (the first one rotates call "
                               "after call), {seconds} s in all."),
    "schedule_closed": ("Horaire « {name} », {when} : fermé par « Fermé maintenant », destination par défaut.",
                        "Schedule \"{name}\", {when}: closed by \"Closed now\", default destination."),
    "schedule_exception": ("Horaire « {name} », {when} : jour d’exception {label}.",
                           "Schedule \"{name}\", {when}: exception day {label}."),
    "schedule_range": ("Horaire « {name} », {when} : plage {label} {start}–{end}.",
                       "Schedule \"{name}\", {when}: range {label} {start}–{end}."),
    "schedule_default": ("Horaire « {name} », {when} : hors des plages, destination par défaut.",
                         "Schedule \"{name}\", {when}: outside every range, default destination."),
    "bad_external": ("Le numéro externe {number} n’est pas appelable : tonalité d’erreur.",
                     "External number {number} cannot be called: error tone."),
    "ring_external": ("Appeler le {number} par l’opérateur pendant {seconds} s.",
                      "Call {number} through the carrier for {seconds} s."),
    "ivr": ("Menu vocal « {name} ».", "Voice menu \"{name}\"."),
    "queue": ("File d’attente « {name} ».", "Queue \"{name}\"."),
    "conference": ("Conférence « {name} ».", "Conference \"{name}\"."),
    "fax": ("Réception du fax (boîte « {name} »).", "Fax reception (box \"{name}\")."),
    "emergency": ("Numéro d’urgence {number} : toujours autorisé.", "Emergency number {number}: always allowed."),
    "invalid_number": ("{number} n’est pas un numéro valable : tonalité d’erreur.",
                       "{number} is not a valid number: error tone."),
    "class_denied": ("{number} demande la catégorie {needs}, {name} a « {call_class} » : appel refusé.",
                     "{number} needs class {needs}, {name} has \"{call_class}\": call refused."),
    "prefix_blocked": ("{number} commence par {prefix} ({label}), bloqué pour toute l’entreprise : "
                       "appel refusé.",
                       "{number} starts with {prefix} ({label}), blocked for the whole company: "
                       "call refused."),
    "class_ceiling": ("{number} demande la catégorie {needs}, l’entreprise limite les appels à "
                      "« {call_class} » : appel refusé.",
                      "{number} needs class {needs}, the company allows at most \"{call_class}\": "
                      "call refused."),
    "premium_company": ("{number} est un numéro surtaxé, refusé pour toute l’entreprise : appel refusé.",
                        "{number} is a premium-rate number, refused for the whole company: "
                        "call refused."),
    "premium_denied": ("{number} est un numéro surtaxé, non autorisé : appel refusé.",
                       "{number} is a premium-rate number, not allowed: call refused."),
    "outbound": ("Appel sortant vers {number} ({kind}) par l’opérateur, numéro présenté {caller_id}.",
                 "Outbound call to {number} ({kind}) through the carrier, caller ID {caller_id}."),
    "missing_target": ("La destination {target} n’existe plus : tonalité d’erreur, fin d’appel.",
                       "Destination {target} no longer exists: error tone, call ends."),
    "clock_missing": ("{wall} n’existe pas le {day} ({zone}) : les horloges avancent d’une heure cette nuit-là "
                      "(passage à l’heure d’été). Le moteur ne voit qu’un instant : {wall} compté à l’heure "
                      "d’hiver est {utc} UTC, soit {actual} ; l’appel est routé comme à {actual}.",
                      "{wall} does not exist on {day} ({zone}): the clocks go forward an hour that night "
                      "(summer time begins). The engine only sees an instant: {wall} counted in winter time "
                      "is {utc} UTC, that is {actual}; the call is routed as at {actual}."),
    "clock_twice": ("{wall} a lieu deux fois le {day} ({zone}) : les horloges reculent d’une heure cette nuit-là "
                    "(retour à l’heure d’hiver). Le moteur prend la première fois, {actual} = {utc} UTC ; "
                    "la seconde, une heure plus tard, serait {second} = {utc2} UTC.",
                    "{wall} happens twice on {day} ({zone}): the clocks go back an hour that night (winter "
                    "time returns). The engine takes the first one, {actual} = {utc} UTC; the second, an "
                    "hour later, would be {second} = {utc2} UTC."),
    "truncated": ("… (la suite n’est pas détaillée)", "… (not detailed further)"),
}


def _localised(key: str, value, lang: int):
    if key == "outcome" and value in OUTCOME_WORDS:
        return OUTCOME_WORDS[value][lang]
    if key in ("needs", "call_class") and value in CLASS_WORDS:
        return CLASS_WORDS[value][lang]
    if key == "kind" and value in CLASS_WORDS:
        return CLASS_WORDS[value][lang]
    return value


def word(note: Note) -> dict[str, str]:
    """{'fr': …, 'en': …} for a note of the engine."""
    fr, en = MESSAGES.get(note.key, (note.key, note.key))
    params = dict(note.params)
    out = {}
    for lang, template in ((0, fr), (1, en)):
        values = {k: _localised(k, v, lang) for k, v in params.items()}
        try:
            text = template.format(**values)
        except (KeyError, IndexError):
            text = template
        out["fr" if lang == 0 else "en"] = " ".join(text.split())
    return out
