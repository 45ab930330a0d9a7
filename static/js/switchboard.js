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
