// Report renders run in the background: poll their status and offer the PDF when it is ready; then swap in the
// archive table from the server, without reloading the page. No inline script (CSP), nothing from a CDN.
(function () {
  "use strict";
  function refreshArchive() {
    var archive = document.getElementById("report-archive");
    if (!archive) { return; }
    fetch(archive.getAttribute("data-archive-url"), { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) { archive.innerHTML = html; archive.setAttribute("data-refreshed", "1"); })
      .catch(function () { /* the archive stays as it was; a reload shows the new report */ });
  }
  var rows = document.querySelectorAll("[data-render-status-url]");
  rows.forEach(function (row) {
    var url = row.getAttribute("data-render-status-url");
    var timer = window.setInterval(poll, 1500);
    function poll() {
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
        .then(function (state) {
          var bar = row.querySelector("progress");
          var step = row.querySelector(".render-step");
          if (bar) { bar.value = state.percent; }
          if (step) { step.textContent = state.step; }
          row.querySelector(".render-label").textContent = state.label +
            (state.error ? (row.getAttribute("data-separator") || "：") + state.error : "");
          if (state.status !== "running") {
            window.clearInterval(timer);
            var cell = row.querySelector(".render-progress");
            cell.textContent = "";
            if (state.download_url) {
              var link = document.createElement("a");
              link.href = state.download_url;
              link.textContent = row.getAttribute("data-download-label") || "下载 PDF";
              cell.appendChild(link);
              refreshArchive();
            }
          }
        })
        .catch(function () { window.clearInterval(timer); });
    }
  });
})();
