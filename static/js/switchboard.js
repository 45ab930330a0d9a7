// htmx under the Content-Security-Policy (config/settings.py): no eval (hx-on, js:
// values, trigger filters), no running <script> tags that come in a swap, and no
// inline <style> for the request indicator (its rules are in css/switchboard.css).
// Set here rather than in a <meta name="htmx-config">: htmx reads only the first such
// tag and some pages bring their own. This file is deferred after htmx, so it runs
// before htmx starts on DOMContentLoaded.
if (window.htmx) {
  htmx.config.includeIndicatorStyles = false;
  htmx.config.allowEval = false;
  htmx.config.allowScriptTags = false;
}

// Remember the browser's time zone so the server shows times in it (see
// core/middleware.py). Pages work without this; times are then in the site's zone.
(function () {
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && document.cookie.indexOf("sb_tz=" + zone) === -1) {
      document.cookie = "sb_tz=" + zone + "; path=/; max-age=31536000; SameSite=Lax";
    }
  } catch (e) { /* old browser: keep the site's zone */ }
})();

// "Select all" boxes: <input type="checkbox" data-select-all="name"> ticks every box
// named "name" in its form. Delegated, so it works in panels htmx swaps in.
document.addEventListener("change", function (event) {
  var box = event.target;
  if (!box.matches || !box.matches("input[data-select-all]")) { return; }
  var selector = 'input[type="checkbox"][name="' + box.dataset.selectAll + '"]';
  box.form.querySelectorAll(selector).forEach(function (other) { other.checked = box.checked; });
});

// Unsaved text: typing into a form's text box marks the form; leaving the page (a link,
// reload, closing the tab) while a marked form is not sent asks first. Sending the form
// (plain or htmx) clears the mark; an htmx swap that replaces the form drops it too.
// Forms that should never ask (search, filters: method GET) are left out.
(function () {
  var dirty = new Set();
  function isText(el) {
    return el && el.form && (el.form.method || "").toLowerCase() === "post" &&
      (el.tagName === "TEXTAREA" || (el.tagName === "INPUT" &&
        ["text", "email", "url", "search", "number", ""].indexOf(el.type) !== -1));
  }
  document.addEventListener("input", function (event) {
    if (isText(event.target)) { dirty.add(event.target.form); }
  });
  document.addEventListener("submit", function (event) { dirty.delete(event.target); }, true);
  document.addEventListener("htmx:beforeRequest", function (event) {
    var el = event.detail && event.detail.elt;
    if (el && el.tagName === "FORM") { dirty.delete(el); }
  });
  window.addEventListener("beforeunload", function (event) {
    dirty.forEach(function (form) { if (!form.isConnected) { dirty.delete(form); } });
    if (dirty.size) { event.preventDefault(); event.returnValue = ""; }
  });
})();

// The phone layout's menu: the areas collapse behind a "Menu" button (css/switchboard.css
// hides them under 768 px); the button opens and closes them.
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("[data-nav-toggle]");
  if (!button) { return; }
  var header = button.closest(".site-header");
  var open = header.classList.toggle("nav-open");
  button.setAttribute("aria-expanded", open ? "true" : "false");
});

// Object page sections as tabs on a phone (up to 900 px, where the page is one column):
// <nav data-tabs> with buttons [data-tab-target=name] and sections [data-tab=name] in the
// same panel. Wider, every section shows in the two-column layout, as without JavaScript. The open tab survives htmx swaps of the
// panel (kept per page in sessionStorage) and a link to an id inside a section (#timeline,
// #action-items) opens that section. Without JavaScript the nav stays hidden and every
// section shows.
(function () {
  function key() { return "sb-tab:" + location.pathname; }
  function show(nav, name) {
    var root = nav.parentElement;
    var sections = root.querySelectorAll("[data-tab]");
    var known = Array.prototype.some.call(sections, function (s) { return s.dataset.tab === name; });
    if (!known && sections.length) { name = sections[0].dataset.tab; }
    sections.forEach(function (section) { section.hidden = section.dataset.tab !== name; });
    nav.querySelectorAll("[data-tab-target]").forEach(function (button) {
      var on = button.dataset.tabTarget === name;
      button.setAttribute("aria-selected", on ? "true" : "false");
      button.classList.toggle("secondary", !on);
      button.classList.toggle("outline", !on);
    });
    try { sessionStorage.setItem(key(), name); } catch (e) { /* private mode */ }
  }
  function fromHash(nav) {
    if (!location.hash || location.hash.length < 2) { return null; }
    var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    var section = target && target.closest("[data-tab]");
    return section && nav.parentElement.contains(section) ? section.dataset.tab : null;
  }
  var narrow = window.matchMedia ? window.matchMedia("(max-width: 900px)") : null;
  function init(root) {
    (root || document).querySelectorAll("nav[data-tabs]").forEach(function (nav) {
      if (!narrow || !narrow.matches) {
        nav.hidden = true;
        nav.parentElement.querySelectorAll("[data-tab]").forEach(function (s) { s.hidden = false; });
        return;
      }
      nav.hidden = false;
      var saved = null;
      try { saved = sessionStorage.getItem(key()); } catch (e) { /* private mode */ }
      show(nav, fromHash(nav) || saved || "");
    });
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-tab-target]");
    if (!button) { return; }
    show(button.closest("nav[data-tabs]"), button.dataset.tabTarget);
  });
  window.addEventListener("hashchange", function () {
    if (!narrow || !narrow.matches) { return; }
    document.querySelectorAll("nav[data-tabs]").forEach(function (nav) {
      var name = fromHash(nav);
      if (name) { show(nav, name); }
    });
  });
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSwap", function () { init(document); });
  if (narrow && narrow.addEventListener) { narrow.addEventListener("change", function () { init(document); }); }
})();
