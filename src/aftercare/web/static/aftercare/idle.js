// The staff idle warning: shown two minutes before the clinic's idle limit signs the
// browser out, then a reload once the limit has passed, so the page shows the sign-in
// (and its reason) rather than a patient's record left open on a shared computer.
(function () {
  "use strict";
  var dialog = document.getElementById("idle-warning");
  if (!dialog || typeof dialog.showModal !== "function") {
    return;
  }
  var idleMs = Number(dialog.dataset.idleMinutes) * 60 * 1000;
  var warnMs = 2 * 60 * 1000;
  window.setTimeout(function () { dialog.showModal(); }, Math.max(idleMs - warnMs, 0));
  window.setTimeout(function () { window.location.reload(); }, idleMs + 1000);
})();
