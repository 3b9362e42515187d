// Progressive enhancement only: every page works without this file.
document.addEventListener("submit", function (event) {
  var message = event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) { event.preventDefault(); }
});

// Tables: each cell is given its column's heading (data-label), so that on a phone a row reads as a card
// (console.css); a table so marked is data-cards. Without this script tables scroll inside their box.
document.querySelectorAll("table.table").forEach(function (table) {
  if (!table.tHead || !table.tHead.rows.length) { return; }
  var labels = [];
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (heading) {
    for (var i = 0; i < heading.colSpan; i += 1) { labels.push(heading.textContent.trim()); }
  });
  Array.prototype.forEach.call(table.tBodies, function (body) {
    Array.prototype.forEach.call(body.rows, function (row) {
      var column = 0;
      Array.prototype.forEach.call(row.cells, function (cell) {
        if (!cell.hasAttribute("data-label")) { cell.setAttribute("data-label", cell.colSpan > 1 ? "" : labels[column] || ""); }
        column += cell.colSpan;
      });
    });
  });
  table.setAttribute("data-cards", "");
});

// The phone menu (a checkbox drawn as ☰): Escape folds it again and gives the focus back to its switch.
document.addEventListener("keydown", function (event) {
  var toggle = document.getElementById("nav-toggle");
  if (event.key === "Escape" && toggle && toggle.checked) { toggle.checked = false; toggle.focus(); }
});

// Number form: show only the choice that matches "Calls go to".
document.querySelectorAll("[data-destination-form]").forEach(function (form) {
  var kind = form.querySelector("select[name=dest_type]");
  function update() {
    form.querySelectorAll("[data-destination]").forEach(function (block) {
      block.hidden = block.getAttribute("data-destination") !== kind.value;
    });
  }
  if (kind) { kind.addEventListener("change", update); update(); }
});

// Destination pickers: show the "which one" field of the chosen kind only.
function destinationPickers(root) {
  root.querySelectorAll("[data-destination-widget]").forEach(function (widget) {
    var kind = widget.querySelector("[data-destination-kind]");
    function update() {
      widget.querySelectorAll("[data-destination]").forEach(function (el) {
        el.hidden = el.getAttribute("data-destination") !== kind.value;
      });
    }
    if (kind) { kind.addEventListener("change", update); update(); }
  });
}
destinationPickers(document);

// Repeated rows (time ranges, holidays): "add" clones the row template with the next free number and
// "remove" drops the row, without reloading (without JS the same buttons redraw the form as typed).
document.addEventListener("click", function (event) {
  var add = event.target.closest("[data-add-row]");
  var remove = event.target.closest("[data-remove-row]");
  if (add) {
    var kind = add.getAttribute("data-add-row");
    var rows = document.querySelector('[data-rows="' + kind + '"]');
    var template = document.querySelector('[data-row-template="' + kind + '"]');
    if (!rows || !template) { return; }
    event.preventDefault();
    var next = 0;
    rows.querySelectorAll("[data-row]").forEach(function (row) {
      next = Math.max(next, parseInt(row.getAttribute("data-row"), 10) + 1);
    });
    var holder = document.createElement("div");
    holder.innerHTML = template.innerHTML.split("__row__").join(String(next));
    destinationPickers(holder);
    var row = holder.firstElementChild;
    rows.appendChild(row);
    var first = row.querySelector("input:not([type=hidden]), select");
    if (first) { first.focus(); }
  } else if (remove && remove.closest("[data-rows]")) {
    event.preventDefault();
    remove.closest("[data-row]").remove();
  }
});

// « Qui est au téléphone »: poll the page's JSON twin every few seconds and update each person in place.
document.querySelectorAll("[data-presence-poll]").forEach(function (list) {
  var url = list.getAttribute("data-presence-poll");
  var every = 1000 * (parseInt(list.getAttribute("data-poll-seconds"), 10) || 3);
  function apply(data) {
    (data.people || []).forEach(function (person) {
      var item = list.querySelector('li[data-extension="' + person.extension + '"]');
      if (!item) { return; }
      item.className = "presence-" + person.state;
      item.querySelector(".state").textContent = person.label;
    });
  }
  function poll() {
    if (document.hidden) { window.setTimeout(poll, every); return; }
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) { apply(data); } })
      .catch(function () {})
      .then(function () { window.setTimeout(poll, every); });
  }
  window.setTimeout(poll, every);
});

// Voicemail: playing a new message marks it read (the button does the same without JS).
document.querySelectorAll("audio[data-mark-read]").forEach(function (audio) {
  audio.addEventListener("play", function () {
    var url = audio.getAttribute("data-mark-read");
    if (!url) { return; }
    audio.removeAttribute("data-mark-read");
    var body = new FormData();
    body.append("csrf_token", audio.getAttribute("data-csrf"));
    body.append("read", "1");
    fetch(url, {method: "POST", body: body, credentials: "same-origin", headers: {"X-Requested-With": "fetch"}})
      .then(function (response) {
        if (!response.ok) { return; }
        var row = audio.closest("tr");
        row.className = "message-read";
        var badge = row.querySelector(".badge-new");
        if (badge) { badge.remove(); }
      })
      .catch(function () {});
  }, {once: true});
});
