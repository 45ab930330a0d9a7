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
