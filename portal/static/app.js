/* Khata Registry: small progressive enhancements. Every page works without this file;
   no inline scripts anywhere (the Content-Security-Policy can forbid them). */
(function () {
  "use strict";

  /* On a phone, table rows stack: each cell is labelled with its column's heading. */
  document.querySelectorAll("main table").forEach(function (table) {
    var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.trim();
    });
    if (!heads.length) { return; }
    table.querySelectorAll("tbody tr").forEach(function (row) {
      Array.prototype.forEach.call(row.children, function (cell, i) {
        if (heads[i] && !cell.hasAttribute("data-label")) { cell.setAttribute("data-label", heads[i]); }
      });
    });
  });

  /* The filing form grows invoice rows on demand (without JavaScript the same button asks
     the server for one more row). */
  var addInvoice = document.querySelector("[data-add-invoice]");
  if (addInvoice) {
    addInvoice.addEventListener("click", function (event) {
      var rows = document.querySelectorAll("tr[data-invoice-row]");
      if (!rows.length || rows.length >= 50) { return; }
      event.preventDefault();
      var last = rows[rows.length - 1];
      var row = last.cloneNode(true);
      var index = rows.length;
      row.querySelectorAll("input").forEach(function (input) {
        input.name = input.name.replace(/invoices-\d+-/, "invoices-" + index + "-");
        input.id = input.id.replace(/invoices-\d+-/, "invoices-" + index + "-");
        input.value = "";
        input.setAttribute("aria-invalid", "false");
        var label = input.getAttribute("aria-label");
        if (label) { input.setAttribute("aria-label", label.replace(/\d+$/, String(index + 1))); }
      });
      row.querySelectorAll(".error").forEach(function (message) { message.remove(); });
      last.parentNode.appendChild(row);
      row.querySelector("input").focus();
    });
  }

  /* Buttons marked data-print print the page (the report). */
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });

  /* A bulk import being filed: post the next step until it is done, moving the bar.
     Without JavaScript the member presses "Continue filing" instead. */
  var form = document.querySelector("form[data-import-step]");
  if (!form) { return; }
  var bar = document.getElementById("import-progress");
  var label = document.getElementById("import-progress-label");
  var failures = 0;

  function show(state) {
    bar.max = Math.max(state.total, 1);
    bar.value = state.done;
    label.textContent = state.done + " of " + state.total + " complaints processed: " +
      state.filed + " filed, " + state.failed + " not filed (" + state.percent + "%)";
  }

  function step() {
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      if (!response.ok) { throw new Error("step answered " + response.status); }
      return response.json();
    }).then(function (state) {
      failures = 0;
      show(state);
      if (state.status === "filing") { step(); } else { window.location.reload(); }
    }).catch(function () {
      failures += 1;
      if (failures < 5) { window.setTimeout(step, 1000 * failures); }
      else {
        label.textContent += " (paused: press Continue filing)";
        form.querySelector("button").hidden = false;
      }
    });
  }

  form.querySelector("button").hidden = true;
  step();
}());
