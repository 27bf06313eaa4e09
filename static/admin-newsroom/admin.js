/* Newsroom's additions to the Django admin: accessible names for the body
   editor, which is built by script and has none of its own (its hidden
   textarea keeps the <label>). No framework, no inline script. */
(function () {
  "use strict";

  function labelFor(element) {
    var row = element.closest(".form-row, .fieldBox");
    var label = row && row.querySelector("label");
    return label ? label.textContent.replace(/:\s*$/, "").trim() : "";
  }

  function nameEditors() {
    var unnamed = document.querySelectorAll(".ProseMirror[contenteditable]:not([aria-label])");
    unnamed.forEach(function (editor) {
      var text = labelFor(editor);
      if (text) {
        editor.setAttribute("aria-label", text);
      }
    });
    return document.querySelectorAll(".prose-editor").length > 0 && unnamed.length === 0;
  }

  function start() {
    if (nameEditors()) {
      return;
    }
    // The editor's module may still be starting: wait for it, then stop watching.
    var observer = new MutationObserver(function () {
      if (nameEditors()) {
        observer.disconnect();
      }
    });
    observer.observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
