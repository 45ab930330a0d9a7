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
