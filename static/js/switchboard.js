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
