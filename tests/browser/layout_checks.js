// What a person would see wrong on the page at this width (arguments[0] = the width the screen has,
// arguments[1] = true on a laptop): returns a list of sentences naming the element, [] when all is well.
const width = arguments[0], laptop = arguments[1], problems = [];

function describe(el) {
  let name = el.tagName.toLowerCase();
  if (el.id) { name += "#" + el.id; }
  if (el.classList.length) { name += "." + Array.from(el.classList).join("."); }
  if (el.name) { name += "[name=" + el.name + "]"; }
  const text = (el.innerText || el.value || el.getAttribute("aria-label") || el.title || "").trim();
  return text ? name + " « " + text.replace(/\s+/g, " ").slice(0, 40) + " »" : name;
}

// Shown to a person: laid out, not hidden, not inside a closed <details> nor kept from readers (aria-hidden).
function shown(el) {
  if (!el.getClientRects().length || el.closest("[aria-hidden=true]")) { return false; }
  const closed = el.closest("details:not([open])");
  if (closed && !(el.closest("summary") && el.closest("summary").parentElement === closed)) { return false; }
  const style = getComputedStyle(el), box = el.getBoundingClientRect();
  return style.visibility !== "hidden" && box.width > 2 && box.height > 2;
}

// The horizontal band of `el` a person can see: the screen, cut by every ancestor that clips or
// scrolls sideways; `scrolls` says whether one of them scrolls (the person can bring it into view).
function visibleBand(el) {
  let left = 0, right = width, scrolls = false;
  for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
    const overflow = getComputedStyle(up).overflowX;
    if (overflow === "visible") { continue; }
    const box = up.getBoundingClientRect();
    left = Math.max(left, box.left); right = Math.min(right, box.right);
    if (overflow === "auto" || overflow === "scroll") { scrolls = true; }
  }
  return {left, right, scrolls};
}

function outside(el) {
  const box = el.getBoundingClientRect(), band = visibleBand(el);
  return {out: box.left < band.left - 1 || box.right > band.right + 1, scrolls: band.scrolls, box};
}

const scrollWidth = document.documentElement.scrollWidth;
if (scrollWidth > width + 1) {
  const wide = Array.from(document.body.querySelectorAll("*")).filter(
    (el) => shown(el) && el.getBoundingClientRect().right > width + 1 && !visibleBand(el).scrolls
  );
  let culprits = wide.filter((el) => !wide.some((other) => other !== el && el.contains(other)));
  if (!culprits.length) {  // content (text, a grid's column) spilling out of a box that keeps its width
    const spill = Array.from(document.body.querySelectorAll("*")).filter((el) => el.clientWidth > 0 &&
      el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX === "visible");
    culprits = spill.filter((el) => !spill.some((other) => other !== el && el.contains(other)));
  }
  problems.push("the page scrolls sideways (" + scrollWidth + " px wide for " + width + " px): " +
    culprits.slice(0, 3).map(describe).join(", "));
}

if (laptop) {  // a table fits a laptop: no column hidden behind the kept-in-sight actions or scrolled away
  document.querySelectorAll("table").forEach(function (table) {
    const box = table.parentElement;
    if (shown(table) && box.scrollWidth > box.clientWidth + 1) {
      problems.push("the table " + describe(table.tHead || table).slice(0, 80) + " is " + box.scrollWidth +
        " px wide in a box of " + box.clientWidth + " px");
    }
  });
}

document.querySelectorAll("table tbody tr").forEach(function (row) {
  const last = row.cells[row.cells.length - 1];
  if (!last || row.cells.length < 2) { return; }
  last.querySelectorAll("a[href], button, input:not([type=hidden]), select, summary").forEach(function (control) {
    if (shown(control) && outside(control).out) {
      problems.push("the action " + describe(control) + " of a table row is out of sight");
    }
  });
});

if (!laptop) {
  const controls = "a[href], button, input:not([type=hidden]), select, textarea, summary, label";
  document.querySelectorAll(controls).forEach(function (control) {
    if (!shown(control) || control.closest(".sr-only")) { return; }
    const where = outside(control);
    if (where.out && !where.scrolls) {
      problems.push(describe(control) + " is cut off (" + Math.round(where.box.left) + "–" +
        Math.round(where.box.right) + " px)");
    }
  });
}

(window.__layoutErrors || []).forEach((error) => problems.push("JavaScript error: " + error));
return problems;
