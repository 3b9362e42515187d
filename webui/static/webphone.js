// « Téléphone »: the browser registers as one more phone of the user's extension (JsSIP, SIP over the
// switch's secure WebSocket, WebRTC media). Credentials: the digest HA1 and realm from account.json, never
// the SIP secret. The panel's data-state (connecting/registered/failed) and data-call (idle/calling/
// ringing/in_call/held) say where it is, for people (the status line) and for the browser tests.
(function () {
  "use strict";
  var root = document.querySelector("[data-webphone]");
  if (!root || !window.JsSIP) { return; }
  var labels = JSON.parse(root.getAttribute("data-labels"));
  var status = root.querySelector(".webphone-status");
  var number = root.querySelector("input[name=number]");
  var audio = root.querySelector(".webphone-audio");
  var buttons = {};
  root.querySelectorAll("[data-action]").forEach(function (b) { buttons[b.getAttribute("data-action")] = b; });
  // `held`: during an announced transfer, the first call, on hold while `session` is the consultation.
  var ua = null, session = null, held = null, domain = "", ringer = null, muted = false;

  function say(key, who) { status.textContent = labels[key].replace("%(who)s", who || ""); }
  function show(names) {
    Object.keys(buttons).forEach(function (name) { buttons[name].hidden = names.indexOf(name) < 0; });
  }
  function setCall(state, who) {
    root.setAttribute("data-call", state);
    if (state === "idle") { show(["call"]); return; }
    say(state, who);
    if (state === "ringing") { show(["answer", "hangup"]); }
    else if (state === "calling") { show(["hangup"]); }
    else if (state === "consulting") { show(["hangup", "mute", "complete"]); }
    else { show(["hangup", "hold", "mute", "transfer", "consult"]); }
  }
  function target(text) {
    var digits = (text || "").replace(/[\s.\-()]/g, "");
    return digits && /^[+0-9*#]+$/.test(digits) ? "sip:" + digits + "@" + domain : null;
  }
  function peer(s) {
    var identity = s.remote_identity;
    return identity ? (identity.display_name ? identity.display_name + " (" + identity.uri.user + ")" : identity.uri.user) : "";
  }

  // A ring made by the page itself (no sound file: the CSP allows no other source).
  function startRinging() {
    try {
      var context = new (window.AudioContext || window.webkitAudioContext)();
      var gain = context.createGain();
      gain.gain.value = 0;
      gain.connect(context.destination);
      var tone = context.createOscillator();
      tone.frequency.value = 440;
      tone.connect(gain);
      tone.start();
      var on = false;
      var timer = window.setInterval(function () { on = !on; gain.gain.value = on ? 0.2 : 0; }, 1000);
      ringer = function () { window.clearInterval(timer); tone.stop(); context.close(); };
    } catch (e) { ringer = null; }
  }
  function stopRinging() { if (ringer) { ringer(); ringer = null; } }
  function notify(who) {
    if (!("Notification" in window) || Notification.permission !== "granted" || !document.hidden) { return; }
    var note = new Notification(labels.notification, {body: who, tag: "centrex-call"});
    note.onclick = function () { window.focus(); note.close(); };
  }
  function askNotifications() {
    if ("Notification" in window && Notification.permission === "default") { Notification.requestPermission(); }
  }

  function attachAudio(connection) {
    connection.addEventListener("track", function (event) {
      if (event.streams && event.streams[0]) { audio.srcObject = event.streams[0]; }
    });
  }
  function follow(s) {
    session = s;
    muted = false;
    if (s.connection) { attachAudio(s.connection); }
    s.on("peerconnection", function (event) { attachAudio(event.peerconnection); });
    s.on("accepted", function () { stopRinging(); setCall(held ? "consulting" : "in_call", peer(s)); });
    s.on("hold", function () {
      if (session !== s) { return; }  // the call waiting during a consultation
      setCall("held", peer(s)); buttons.hold.setAttribute("aria-pressed", "true");
    });
    s.on("unhold", function () {
      if (session !== s) { return; }
      setCall("in_call", peer(s)); buttons.hold.setAttribute("aria-pressed", "false");
    });
    function ended() {
      stopRinging();
      if (held === s) { held = null; }  // the waiting party hung up
      if (session === s && held) {      // the consultation ended: back to the call on hold
        session = held;
        held = null;
        setCall("held", peer(session));
        buttons.hold.setAttribute("aria-pressed", "true");
        return;
      }
      if (session === s) { session = null; say("ended"); setCall("idle"); }
      buttons.hold.setAttribute("aria-pressed", "false");
      buttons.mute.setAttribute("aria-pressed", "false");
    }
    s.on("ended", ended);
    s.on("failed", ended);
  }
  var media = {mediaConstraints: {audio: true, video: false}, pcConfig: {iceServers: []}};
  // JsSIP refuses a new offer (returns false) while the previous one is unanswered: try again shortly.
  function reoffer(method, s) {
    var tries = 0;
    s = s || session;
    (function attempt() {
      if (s && !s.isEnded() && !s[method]() && ++tries < 25) { window.setTimeout(attempt, 200); }
    }());
  }
  function end(s) { try { s.terminate(); } catch (e) { /* already ended by the switch */ } }

  function call(text) {
    var uri = target(text);
    if (!uri || !ua || (session && !held)) { return; }
    askNotifications();
    number.value = text;
    try {
      var s = ua.call(uri, media);
      follow(s);
      setCall("calling", text);
    } catch (e) { say("no_microphone"); }
  }
  function press(key) {
    if (session && session.isEstablished()) { session.sendDTMF(key, {duration: 160}); }
    else { number.value += key; }
  }
  var actions = {
    call: function () { call(number.value); },
    answer: function () { if (session) { stopRinging(); session.answer(media); } },
    hangup: function () { if (session) { session.terminate(); } },
    hold: function () {
      if (session) { reoffer(session.isOnHold().local ? "unhold" : "hold"); }
    },
    mute: function () {
      if (!session) { return; }
      muted = !muted;
      if (muted) { session.mute({audio: true}); } else { session.unmute({audio: true}); }
      buttons.mute.setAttribute("aria-pressed", String(muted));
    },
    transfer: function () {
      var uri = session && target(number.value || window.prompt(labels.transfer_to, ""));
      if (!uri) { return; }
      var s = session;
      s.refer(uri, {eventHandlers: {accepted: function () { say("transferred"); s.terminate(); }}});
    },
    consult: function () {  // announced transfer: the call waits on hold while we call the number
      var text = number.value || window.prompt(labels.transfer_to, "");
      if (!session || held || !target(text)) { return; }
      held = session;
      reoffer("hold", held);
      call(text);
      if (session === held) { held = null; }  // the consultation could not start
    },
    complete: function () {  // hand the waiting call over to the one we consulted (REFER with Replaces)
      if (!held || !session) { return; }
      var waiting = held, consulted = session;
      waiting.refer(consulted.remote_identity.uri, {replaces: consulted, eventHandlers: {accepted: function () {
        say("transferred");
        held = null;
        end(waiting);
        end(consulted);
      }}});
    }
  };
  Object.keys(buttons).forEach(function (name) {
    buttons[name].addEventListener("click", function () { actions[name](); });
  });
  root.querySelectorAll("[data-key]").forEach(function (b) {
    b.addEventListener("click", function () { press(b.getAttribute("data-key")); });
  });
  number.addEventListener("keydown", function (event) { if (event.key === "Enter") { call(number.value); } });
  document.querySelectorAll("[data-dial]").forEach(function (b) {
    b.addEventListener("click", function () { call(b.getAttribute("data-dial")); });
  });

  function register(account) {
    domain = account.realm;
    ua = new JsSIP.UA({
      sockets: [new JsSIP.WebSocketInterface(account.wss_url)],
      uri: account.uri, realm: account.realm, ha1: account.ha1, authorization_user: account.authorization_user,
      display_name: account.display_name, register: true, register_expires: 300, session_timers: false,
      user_agent: "Centrex web phone (JsSIP " + JsSIP.version + ")"
    });
    ua.on("registered", function () { root.setAttribute("data-state", "registered"); if (!session) { say("registered"); } });
    ua.on("unregistered", function () { root.setAttribute("data-state", "unregistered"); say("unregistered"); });
    ua.on("registrationFailed", function () { root.setAttribute("data-state", "failed"); say("failed"); });
    // No WebSocket (switch unreachable, certificate refused): JsSIP keeps retrying; say so meanwhile.
    ua.on("disconnected", function () { root.setAttribute("data-state", "failed"); if (!session) { say("failed"); } });
    ua.on("newRTCSession", function (event) {
      if (event.originator !== "remote") { return; }
      if (session) { event.session.terminate({status_code: 486}); return; }
      follow(event.session);
      setCall("ringing", peer(event.session));
      startRinging();
      notify(peer(event.session));
    });
    ua.start();
    window.addEventListener("beforeunload", function () { ua.stop(); });
  }
  setCall("idle");
  say("connecting");
  fetch(root.getAttribute("data-account-url"), {credentials: "same-origin", headers: {"Accept": "application/json"}})
    .then(function (response) { if (!response.ok) { throw new Error(String(response.status)); } return response.json(); })
    .then(register)
    .catch(function () { root.setAttribute("data-state", "failed"); say("failed"); });
}());
