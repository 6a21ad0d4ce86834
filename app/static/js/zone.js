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
