// Propose the zone the browser reports where the server could only guess it (the State's main
// zone or UTC). Progressive enhancement: without JavaScript the guess stays and can be changed.
(function () {
  "use strict";
  var zone = "";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (error) { return; }
  if (!zone) { return; }
  document.querySelectorAll("[data-browser-zone] select[name$='timezone']").forEach(function (select) {
    var known = Array.prototype.some.call(select.options, function (option) {
      return option.value === zone;
    });
    if (known) { select.value = zone; }
  });
  document.querySelectorAll("[data-browser-zone] input[type=hidden][name='timezone']").forEach(function (input) {
    input.value = zone;
    var form = input.form;
    form.querySelectorAll("[data-zone-name]").forEach(function (label) {
      label.textContent = zone.replace(/_/g, " ");
    });
  });
})();

// A visitor's zone: kept in the `tz` cookie so the server writes every time in it (the server
// checks it against its list of zones). Set once from the browser; a zone chosen on the time-zone
// page replaces it and is never overwritten here. When the page was written for another zone
// because the cookie was missing, it is loaded once more, now in the visitor's zone.
(function () {
  "use strict";
  var marker = document.querySelector("[data-visitor-zone]");
  if (!marker) { return; }
  if (/(?:^|;\s*)tz=/.test(document.cookie)) { return; }
  var zone = "";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (error) { return; }
  if (!/^[A-Za-z0-9_+\-\/]{1,64}$/.test(zone)) { return; }
  var secure = window.location.protocol === "https:" ? "; secure" : "";
  document.cookie = "tz=" + zone + "; path=/; max-age=31536000; samesite=lax" + secure;
  if (!/(?:^|;\s*)tz=/.test(document.cookie)) { return; }  // cookies refused: stay on UTC
  if (marker.getAttribute("data-visitor-zone") !== zone) { window.location.reload(); }
})();
