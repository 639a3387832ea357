// Excel imports: send the form in the background and show progress (upload %, then rows read or written, polled
// from the server). Without JavaScript the forms post normally and the page simply waits.
(function () {
  "use strict";

  function fill(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_, key) { return values[key] === undefined ? "" : values[key]; });
  }

  function show(form, percent, text) {
    var box = form.querySelector(".import-progress");
    if (!box) { return; }
    box.classList.remove("d-none");
    var bar = box.querySelector(".import-progress-bar");
    bar.style.width = (percent === null ? 100 : Math.max(3, Math.min(100, percent))) + "%";
    bar.parentNode.setAttribute("aria-valuenow", percent === null ? "" : String(Math.round(percent)));
    box.querySelector(".import-progress-text").textContent = text;
  }

  function poll(form) {
    var url = form.getAttribute("data-progress-url");
    var timer = window.setInterval(function () {
      var request = new XMLHttpRequest();
      request.open("GET", url);
      request.onload = function () {
        if (request.status !== 200) { return; }
        var state = JSON.parse(request.responseText);
        if (state.phase === "waiting") { return; }
        var total = state.total, done = state.done || 0;
        var message = state.phase === "writing" ? form.getAttribute("data-msg-writing") : form.getAttribute("data-msg-reading");
        var text = fill(message || "", {done: done, total: total || "?"});
        if (state.phase === "reading" && total) { text += fill(form.getAttribute("data-msg-of") || "", {total: total}); }
        show(form, total ? 100 * done / total : null, text);
      };
      request.send();
    }, 700);
    return timer;
  }

  function replacePage(request) {
    if (request.status >= 200 && request.status < 300 && request.responseURL) {
      window.location.assign(request.responseURL);
      return;
    }
    document.open();
    document.write(request.responseText);
    document.close();
  }

  document.querySelectorAll("form.js-import-form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var input = form.querySelector("input[type=file]");
      var limit = parseInt(form.getAttribute("data-max-bytes") || "0", 10);
      if (input && input.files.length && limit && input.files[0].size > limit) {
        event.preventDefault();
        show(form, 0, form.getAttribute("data-msg-too-large"));
        return;
      }
      if (input && !input.files.length) { return; }  // let the server say a file is needed
      event.preventDefault();
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
      var request = new XMLHttpRequest();
      var timer = null;
      request.open("POST", form.action);
      request.upload.onprogress = function (e) {
        if (e.lengthComputable) { show(form, 100 * e.loaded / e.total, form.getAttribute("data-msg-uploading")); }
      };
      request.upload.onload = function () {
        show(form, null, form.getAttribute("data-msg-checking") || form.getAttribute("data-msg-uploading"));
        timer = timer || poll(form);
      };
      request.onload = function () { if (timer) { window.clearInterval(timer); } replacePage(request); };
      request.onerror = function () { if (timer) { window.clearInterval(timer); } form.submit(); };
      show(form, 0, form.getAttribute("data-msg-uploading"));
      if (!input) { timer = poll(form); }
      request.send(new FormData(form));
    });
  });
})();
