// The "Schedule…" button reveals the publish time field (and its Schedule
// button) and moves focus there; without this script the field is always
// shown. The field stays open when the form came back with an error in it.
"use strict";
(function () {
  function ready() {
    const row = document.querySelector(".form-row.field-publish_at");
    const toggles = document.querySelectorAll(".nr-schedule-toggle");
    if (!row || toggles.length === 0) {
      return;
    }
    const open = row.classList.contains("errors");
    row.hidden = !open;
    for (const toggle of toggles) {
      toggle.hidden = false;
      toggle.setAttribute("aria-expanded", String(open));
      toggle.setAttribute("aria-controls", row.id || (row.id = "nr-publish-at-row"));
      toggle.addEventListener("click", function () {
        row.hidden = false;
        for (const other of toggles) {
          other.setAttribute("aria-expanded", "true");
        }
        const input = row.querySelector("input");
        if (input) {
          input.focus();
        }
      });
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
