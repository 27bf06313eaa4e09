/* Accessible names for stock admin inputs that have none, on every admin
   page (templates/admin/base_site.html): the date and time halves of a
   date-time field, and the inputs in a tabular inline's cells. Each gets its
   field's label and its own part as aria-label. No framework. */
(function () {
  "use strict";

  function clean(text) {
    return (text || "").replace(/[:\s]+$/, "").replace(/\s+/g, " ").trim();
  }

  function nameDateTimeParts() {
    document.querySelectorAll("p.datetime").forEach(function (paragraph) {
      var row = paragraph.closest(".form-row, .fieldBox");
      var label = row && row.querySelector("label");
      var field = label ? clean(label.textContent) : "";
      var part = "";
      paragraph.childNodes.forEach(function (node) {
        if (node.nodeType === Node.TEXT_NODE && node.textContent.trim()) {
          part = clean(node.textContent);
        } else if (node.nodeName === "INPUT" && !node.hasAttribute("aria-label")) {
          node.setAttribute("aria-label", field ? field + ", " + part.toLowerCase() : part);
        }
      });
    });
  }

  function nameInlineCells() {
    document.querySelectorAll(".tabular table").forEach(function (table) {
      var headers = table.querySelectorAll("thead th");
      table.querySelectorAll("tbody tr").forEach(function (row) {
        Array.prototype.forEach.call(row.children, function (cell, index) {
          var header = headers[index];
          var name = header ? clean(header.textContent) : "";
          if (!name) {
            return;
          }
          cell.querySelectorAll("input:not([type=hidden]), select, textarea").forEach(function (input) {
            if (!input.labels.length && !input.hasAttribute("aria-label")) {
              input.setAttribute("aria-label", name);
            }
          });
        });
      });
    });
  }

  function start() {
    nameDateTimeParts();
    nameInlineCells();
    // "Add another" rows arrive later.
    document.addEventListener("formset:added", nameInlineCells);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
