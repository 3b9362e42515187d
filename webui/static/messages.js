// « Messages »: short-poll the JSON twin of the page (new messages of the open conversation, unread
// counts) and send without a reload. Progressive: the page's links and forms work without this file.
document.querySelectorAll("[data-chat-poll]").forEach(function (chat) {
  var url = chat.getAttribute("data-chat-poll");
  var every = 1000 * (parseInt(chat.getAttribute("data-poll-seconds"), 10) || 2);
  var open = chat.getAttribute("data-open");
  var since = parseInt(chat.getAttribute("data-since"), 10) || 0;
  var labels = document.getElementById("chat-labels");
  var thread = chat.querySelector(".thread");
  var list = chat.querySelector(".conversations");
  var form = chat.querySelector("form.compose");
  var baseTitle = document.title;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function show(message) {
    if (!thread || thread.querySelector('[data-message="' + message.id + '"]')) { return; }
    var empty = thread.querySelector(".empty");
    if (empty) { empty.remove(); }
    var item = el("li", message.mine ? "mine" : "");
    item.setAttribute("data-message", message.id);
    item.appendChild(el("span", "sender", message.sender));
    item.appendChild(el("p", "", message.body));
    item.appendChild(el("small", "", message.at + (message.phone ? " · " + labels.getAttribute("data-phone") : "")));
    thread.appendChild(item);
    thread.scrollTop = thread.scrollHeight;
    since = Math.max(since, message.id);
  }

  function showList(conversations) {
    list.textContent = "";
    conversations.forEach(function (c) {
      var item = el("li");
      item.setAttribute("data-conversation", c.id);
      if (String(c.id) === open) { item.setAttribute("aria-current", "true"); }
      var link = el("a");
      link.href = c.url;
      link.appendChild(el("b", "title", (c.group ? "# " : "") + c.title));
      var unread = el("span", "unread", String(c.unread));
      unread.hidden = !c.unread;
      unread.setAttribute("aria-label", labels.getAttribute("data-unread"));
      link.appendChild(unread);
      link.appendChild(el("small", "last", c.last));
      item.appendChild(link);
      list.appendChild(item);
    });
  }

  function poll() {
    if (document.hidden) { window.setTimeout(poll, every); return; }
    var query = open ? "?open=" + encodeURIComponent(open) + "&since=" + since : "";
    fetch(url + query, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        data.messages.forEach(show);
        if (data.conversations.length) { showList(data.conversations); }
        document.title = (data.unread_total ? "(" + data.unread_total + ") " : "") + baseTitle;
      })
      .catch(function () {})
      .then(function () { window.setTimeout(poll, every); });
  }

  if (form) {
    var box = form.querySelector("textarea");
    box.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!box.value.trim()) { return; }
      var button = form.querySelector("button");
      button.disabled = true;
      fetch(form.action, {method: "POST", body: new FormData(form), credentials: "same-origin",
                          headers: {"X-Requested-With": "fetch"}})
        .then(function (response) { return response.json().then(function (data) { return [response.ok, data]; }); })
        .then(function (answer) {
          if (answer[0]) { show(answer[1].message); box.value = ""; box.focus(); }
          else { box.setAttribute("aria-invalid", "true"); }
        })
        .catch(function () { form.submit(); })
        .then(function () { button.disabled = false; });
    });
  }
  if (thread) { thread.scrollTop = thread.scrollHeight; }
  window.setTimeout(poll, every);
});
