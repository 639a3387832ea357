// The officers' board: drag a card to another column to move the firm, plus small helpers of the move forms.
// Drag and drop and the keyboard form on each card post to the same endpoint; the server decides every move.
(function () {
  "use strict";

  function csrfToken() {
    var input = document.querySelector('input[name="csrf_token"]');
    return input ? input.value : "";
  }

  // Texts in the page's language: the board's alert region carries them (data-*-label, %(name)s filled in here).
  function label(name, fallback, values) {
    var region = document.getElementById("board-alert");
    var text = (region && region.getAttribute("data-" + name + "-label")) || fallback;
    Object.keys(values || {}).forEach(function (key) { text = text.split("%(" + key + ")s").join(String(values[key])); });
    return text;
  }

  // A Bootstrap alert's ✕ (dismissible).
  function addCloseButton(box) {
    var close = document.createElement("button");
    close.type = "button";
    close.className = "btn-close";
    close.setAttribute("data-bs-dismiss", "alert");
    close.setAttribute("aria-label", label("close", "关闭"));
    box.classList.add("alert-dismissible");
    box.appendChild(close);
  }

  function showMessage(text, kind) {
    var region = document.getElementById("board-alert");
    if (!region) { window.alert(text); return; }
    region.textContent = "";
    var box = document.createElement("div");
    box.className = "alert alert-" + (kind || "danger");
    box.setAttribute("role", "alert");
    box.textContent = text;
    addCloseButton(box);
    region.appendChild(box);
    region.scrollIntoView({ block: "nearest" });
  }

  function moveCard(card, toStage) {
    var body = new FormData();
    body.append("csrf_token", csrfToken());
    body.append("to", toStage);
    body.append("version", card.getAttribute("data-version"));
    body.append("next", window.location.pathname + window.location.search);
    card.classList.add("is-moving");
    return fetch(card.getAttribute("data-move-url"), {
      method: "POST", body: body, credentials: "same-origin", headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json().catch(function () { return { ok: false, error: label("status-error", "操作失败（%(status)s），请刷新页面后重试。", { status: response.status }) }; });
    }).then(function (answer) {
      card.classList.remove("is-moving");
      if (answer.ok) {
        // The server flashed the same message as after the keyboard form; the reloaded board shows it and, from the
        // fragment, scrolls to the moved card and highlights it.
        window.history.replaceState(null, "", "#" + card.id);
        window.location.reload();
        return;
      }
      if (answer.needs_form && answer.form_url) { window.location.assign(answer.form_url); return; }
      var text = answer.error || label("error", "操作失败，请刷新页面后重试。");
      if (answer.stage_label) { text += label("stage", "（当前阶段：%(stage)s）", { stage: answer.stage_label }); }
      if (typeof answer.version === "number") { card.setAttribute("data-version", String(answer.version)); }
      showMessage(text, "danger");
    }).catch(function () {
      card.classList.remove("is-moving");
      showMessage(label("network", "网络连接失败，阶段未调整，请稍后重试。"), "danger");
    });
  }

  function setUpBoard(board) {
    var dragged = null;
    board.addEventListener("dragstart", function (event) {
      var card = event.target.closest ? event.target.closest(".board-card[draggable]") : null;
      if (!card) { return; }
      dragged = card;
      card.classList.add("dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", card.getAttribute("aria-label") || "");
      var targets = (card.getAttribute("data-targets") || "").split(" ");
      board.querySelectorAll(".board-column").forEach(function (column) {
        if (targets.indexOf(column.getAttribute("data-stage")) >= 0) { column.classList.add("drop-allowed"); }
      });
    });
    board.addEventListener("dragend", function () {
      if (dragged) { dragged.classList.remove("dragging"); }
      dragged = null;
      board.querySelectorAll(".board-column").forEach(function (column) {
        column.classList.remove("drop-allowed", "drop-over");
      });
    });
    board.addEventListener("dragover", function (event) {
      var column = event.target.closest ? event.target.closest(".board-column") : null;
      if (!dragged || !column || column.getAttribute("data-stage") === dragged.getAttribute("data-stage")) { return; }
      event.preventDefault();  // any other column accepts the drop: the server says whether the move is allowed
      event.dataTransfer.dropEffect = "move";
      column.classList.add("drop-over");
    });
    board.addEventListener("dragleave", function (event) {
      var column = event.target.closest ? event.target.closest(".board-column") : null;
      if (column && !column.contains(event.relatedTarget)) { column.classList.remove("drop-over"); }
    });
    board.addEventListener("drop", function (event) {
      var column = event.target.closest ? event.target.closest(".board-column") : null;
      if (!dragged || !column) { return; }
      event.preventDefault();
      column.classList.remove("drop-over");
      moveCard(dragged, column.getAttribute("data-stage"));
    });
  }

  // Move forms: show only the extra fields the chosen stage needs (all stay visible without JavaScript).
  function setUpMoveForm(form) {
    var select = form.querySelector("[data-needs-select]");
    if (!select) { return; }
    function update() {
      var option = select.options[select.selectedIndex];
      var needs = option ? (option.getAttribute("data-needs") || "").split(" ") : [];
      form.querySelectorAll("[data-field]").forEach(function (wrapper) {
        var name = wrapper.getAttribute("data-field");
        var hasError = wrapper.querySelector(".is-invalid") !== null;
        wrapper.hidden = !(name === "note" || hasError || needs.indexOf(name) >= 0);
      });
    }
    select.addEventListener("change", update);
    update();
    // A refused move comes back with the field it needs marked, and a card's move to a stage that needs more (出库's
    // reason) opens this form on that stage: put the cursor on that field (keyboard users start there).
    var invalid = form.querySelector(".is-invalid");
    var option = select.options[select.selectedIndex];
    var needs = option && /[?&]to=/.test(window.location.search) ? (option.getAttribute("data-needs") || "").split(" ") : [];
    var needed = needs[0] ? form.querySelector('[data-field="' + needs[0] + '"] select, [data-field="' + needs[0] + '"] input') : null;
    if (invalid || needed) { (invalid || needed).focus(); }
  }

  // After a move (a drag or a card's form) the board opens at #card-<firm>: bring that card into view, mark it, and
  // give it the focus so that a keyboard user carries on from the card they moved.
  function showMovedCard() {
    var card = document.getElementById(window.location.hash.slice(1));
    if (!card || !card.classList.contains("board-card")) { return; }
    card.classList.add("just-moved");
    var note = document.createElement("span");  // said in words too, not only by the colour
    note.className = "badge text-bg-primary just-moved-note";
    note.textContent = label("moved", "刚调整");
    card.querySelector(".board-card-title").appendChild(note);
    reveal(card);
    window.setTimeout(keepMessageInView, 400);  // after any scrolling the browser itself still does at load
    card.focus({ preventScroll: true });
    card.addEventListener("blur", function () { card.classList.remove("just-moved"); }, { once: true });
  }

  // The move's confirmation (the flashed message at the top) scrolled away with the page: repeat it at the foot of
  // the screen, where it stays until closed.
  function keepMessageInView() {
    var message = document.querySelector("main > .alert-success");
    if (!message || message.getBoundingClientRect().bottom > 0) { return; }
    var copy = message.cloneNode(true);
    copy.removeAttribute("role");  // read out once already, with the page
    copy.classList.add("board-toast", "shadow");
    addCloseButton(copy);
    document.body.appendChild(copy);
  }

  // Scroll the card's column (and the board sideways) to put the card in the middle of it: the page itself then
  // scrolls only if the card is still off the screen, so that the message above the board stays in view.
  function reveal(card) {
    var cards = card.closest(".board-cards");
    var column = card.closest(".board-column");
    var board = card.closest(".board");
    var box = card.getBoundingClientRect();
    if (cards) {
      var area = cards.getBoundingClientRect();
      cards.scrollTop += (box.top - area.top) - (cards.clientHeight - box.height) / 2;
    }
    if (board && column) {
      var frame = board.getBoundingClientRect();
      var place = column.getBoundingClientRect();
      if (place.left < frame.left || place.right > frame.right) {
        board.scrollLeft += (place.left - frame.left) - (board.clientWidth - place.width) / 2;
      }
    }
    box = card.getBoundingClientRect();
    if (box.top < 0 || box.bottom > window.innerHeight || box.left < 0 || box.right > window.innerWidth) {
      card.scrollIntoView({ block: "nearest", inline: "nearest" });
    }
  }

  // The board scrolls sideways when its columns do not fit: shadows at the edges say there is more that way.
  function setUpScrollCue(board) {
    var frame = board.parentElement;
    function update() {
      frame.classList.toggle("more-left", board.scrollLeft > 4);
      frame.classList.toggle("more-right", board.scrollLeft + board.clientWidth < board.scrollWidth - 4);
    }
    board.addEventListener("scroll", update, { passive: true });
    window.addEventListener("resize", update);
    update();
  }

  // A header checkbox ticks every checkbox of a name.
  function setUpSelectAll(box) {
    var name = box.getAttribute("data-select-all");
    box.addEventListener("change", function () {
      box.form.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (other) {
        other.checked = box.checked;
      });
    });
  }

  document.querySelectorAll("[data-board]").forEach(function (board) { setUpBoard(board); setUpScrollCue(board); });
  // After the load: a reload restores the old scroll position and the fragment scrolls the card to the top edge,
  // both at load time, and either would undo a scroll made earlier.
  if (/^#card-\d+$/.test(window.location.hash)) {
    window.addEventListener("load", function () { window.setTimeout(showMovedCard, 0); });
  }
  document.querySelectorAll("[data-move-form]").forEach(setUpMoveForm);
  document.querySelectorAll("[data-select-all]").forEach(setUpSelectAll);
})();
