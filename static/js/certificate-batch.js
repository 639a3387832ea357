// Batch re-issue page: poll the progress endpoint, update the bar, reload when the batch has ended.
(function () {
  "use strict";
  var box = document.getElementById("batch-progress");
  var url = box && box.getAttribute("data-progress-url");
  if (!url) { return; }
  var bar = box.querySelector("progress");
  var text = box.querySelector("[data-progress-text]");
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.json(); })
      .then(function (p) {
        bar.max = p.total || 1;
        bar.value = p.done;
        text.textContent = p.done + " / " + p.total + (text.getAttribute("data-open") || "（") + p.percent + "%" +
          (text.getAttribute("data-close") || "）");
        if (p.status === "queued" || p.status === "running") { window.setTimeout(poll, 1500); }
        else { window.location.reload(); }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
