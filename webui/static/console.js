// Progressive enhancement only: every page works without this file.
document.addEventListener("submit", function (event) {
  var message = event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) { event.preventDefault(); }
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
document.querySelectorAll("[data-destination-widget]").forEach(function (widget) {
  var kind = widget.querySelector("[data-destination-kind]");
  function update() {
    widget.querySelectorAll("[data-destination]").forEach(function (el) {
      el.hidden = el.getAttribute("data-destination") !== kind.value;
    });
  }
  if (kind) { kind.addEventListener("change", update); update(); }
});
