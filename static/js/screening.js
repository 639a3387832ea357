// Screening lists: a header checkbox selects every firm of its table.
(function () {
  "use strict";
  document.querySelectorAll(".js-select-all").forEach(function (box) {
    box.addEventListener("change", function () {
      var body = document.getElementById(box.getAttribute("data-target"));
      if (!body) { return; }
      body.querySelectorAll("input[name='firm_id']").forEach(function (item) { item.checked = box.checked; });
    });
  });
})();
