/* Autosave for the article change form: keeps what is in the form on the
   server (the user's own autosave, never the article) every few seconds
   while it changes and when the page is left; offers to restore it when the
   form opens; warns before leaving with unsaved changes. Configured by
   #nr-autosave's data attributes (templates/admin/articles/article/autosave.html).
   No framework, no inline script. */
(function () {
  "use strict";

  var editors = new Map(); // body textarea -> its rich-text editor
  document.addEventListener("prose-editor:ready", function (event) {
    if (event.detail && event.detail.textarea) {
      editors.set(event.detail.textarea, event.detail.editor);
    }
  });

  // Names never kept: the form's own bookkeeping, not the article.
  var SKIPPED = /^(csrfmiddlewaretoken|loaded_version|_autosave_draft|_save|_continue|_addanother)$|-(TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS$|__prefix__/;

  function newToken() {
    if (window.crypto && window.crypto.randomUUID) {
      return window.crypto.randomUUID();
    }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function kept(element) {
    if (!element.name || element.disabled || SKIPPED.test(element.name)) {
      return false;
    }
    var type = (element.type || "").toLowerCase();
    return ["submit", "button", "reset", "image", "file", "hidden"].indexOf(type) === -1;
  }

  function serialize(form) {
    var fields = {};
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!kept(element)) {
        return;
      }
      var type = element.type.toLowerCase();
      if (type === "checkbox" || type === "radio") {
        if (element.checked) {
          fields[element.name] = element.value;
        } else if (!(element.name in fields)) {
          fields[element.name] = "";
        }
      } else if (element.tagName === "SELECT") {
        fields[element.name] = Array.prototype.filter.call(element.options, function (option) {
          return option.selected && option.value !== "";
        }).map(function (option) {
          return [option.value, option.textContent.trim()];
        });
      } else {
        fields[element.name] = element.value;
      }
    });
    return fields;
  }

  function restore(form, fields) {
    Object.keys(fields).forEach(function (name) {
      var value = fields[name];
      var found = form.elements.namedItem(name);
      if (!found) {
        return;
      }
      var elements = found.tagName ? [found] : Array.prototype.slice.call(found);
      elements.forEach(function (element) {
        if (!kept(element)) {
          return;
        }
        var type = element.type.toLowerCase();
        if (type === "checkbox" || type === "radio") {
          element.checked = value !== "" && element.value === value;
        } else if (element.tagName === "SELECT") {
          var chosen = Array.isArray(value) ? value : [];
          var values = chosen.map(function (pair) { return Array.isArray(pair) ? pair[0] : pair; });
          chosen.forEach(function (pair) {
            var optionValue = Array.isArray(pair) ? pair[0] : pair;
            var exists = Array.prototype.some.call(element.options, function (option) {
              return option.value === optionValue;
            });
            if (!exists) {
              // Autocomplete selects hold only their chosen options.
              element.add(new Option(Array.isArray(pair) ? pair[1] || pair[0] : pair, optionValue));
            }
          });
          Array.prototype.forEach.call(element.options, function (option) {
            option.selected = values.indexOf(option.value) !== -1;
          });
          if (window.django && window.django.jQuery) {
            window.django.jQuery(element).trigger("change");
          } else {
            element.dispatchEvent(new Event("change", { bubbles: true }));
          }
        } else if (typeof value === "string") {
          element.value = value;
          var editor = editors.get(element);
          if (editor) {
            editor.commands.setContent(value);
          }
          element.dispatchEvent(new Event("input", { bubbles: true }));
        }
      });
    });
  }

  function start() {
    var config = document.getElementById("nr-autosave");
    var form = config && config.closest("form");
    if (!form) {
      return;
    }
    var status = document.getElementById("nr-autosave-status");
    var interval = Math.max(0.2, parseFloat(config.dataset.interval) || 30) * 1000;
    var article = config.dataset.article ? parseInt(config.dataset.article, 10) : null;
    var draftInput = null;
    if (article === null) {
      // A new article is known by a token the form carries to its save,
      // which then deletes the autosave.
      draftInput = document.createElement("input");
      draftInput.type = "hidden";
      draftInput.name = config.dataset.draftField;
      draftInput.value = config.dataset.draft || newToken();
      form.appendChild(draftInput);
    }
    var csrf = form.querySelector("input[name=csrfmiddlewaretoken]");
    var changes = 0; // edits since the page opened
    var savedChanges = 0; // edits the last autosave holds
    var submitting = false;

    function say(text) {
      if (status) {
        status.textContent = text;
      }
    }

    function send(body, keepalive) {
      return fetch(config.dataset.url, {
        method: "POST",
        credentials: "same-origin",
        keepalive: !!keepalive,
        headers: {
          "Content-Type": "application/json",
          "X-CSRFToken": csrf ? csrf.value : "",
          "X-Requested-With": "XMLHttpRequest"
        },
        body: JSON.stringify(body)
      });
    }

    function target(body) {
      body.article = article;
      if (draftInput) {
        body.draft = draftInput.value;
      }
      return body;
    }

    var pending = null;
    function autosave(keepalive) {
      if (submitting || changes === savedChanges || (pending && !keepalive)) {
        return;
      }
      var upTo = changes;
      var request = send(target({ action: "save", fields: serialize(form) }), keepalive);
      if (keepalive) {
        // The page is going away: nothing to report to (a body over the
        // browser's keepalive limit is refused; the last autosave stands).
        request.catch(function () {});
        return;
      }
      pending = request.then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (answer) {
          // A signed-out session is redirected to the login page: no JSON.
          if (response.ok && answer.saved_at) {
            savedChanges = upTo;
            say(answer.message || "");
          } else {
            say(answer.error ? "Autosave failed: " + answer.error
              : "Autosave failed: sign in again in another tab; it will try again.");
          }
        });
      }).catch(function () {
        say("Autosave failed: the server could not be reached. It will try again.");
      }).then(function () {
        pending = null;
      });
    }

    // Edits are what people do: events scripts fire (the editor echoing its
    // text into the textarea, widgets starting up) do not count.
    function edited(event) {
      if (event.isTrusted) {
        changes += 1;
      }
    }
    form.addEventListener("input", edited);
    form.addEventListener("change", edited);
    if (window.django && window.django.jQuery) {
      // Autocomplete widgets announce a choice with jQuery's change event only.
      window.django.jQuery(form).on("select2:select select2:unselect select2:clear", function () {
        changes += 1;
      });
    }
    form.addEventListener("submit", function () { submitting = true; });
    window.setInterval(function () { autosave(false); }, interval);
    window.addEventListener("pagehide", function () { autosave(true); });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") {
        autosave(true);
      }
    });
    window.addEventListener("beforeunload", function (event) {
      if (!submitting && changes > 0) {
        event.preventDefault();
        event.returnValue = "";
      }
    });

    var offer = document.getElementById("nr-autosave-offer");
    var data = document.getElementById("nr-autosave-data");
    if (!offer || !data) {
      return;
    }
    offer.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-autosave]");
      if (!button) {
        return;
      }
      if (draftInput && offer.dataset.draft) {
        // Go on keeping the new article under the token it was kept by.
        draftInput.value = offer.dataset.draft;
      }
      if (button.dataset.autosave === "restore") {
        restore(form, JSON.parse(data.textContent));
        changes += 1;
        savedChanges = changes;
        say("Autosave restored into the form. Save to keep it.");
      } else {
        send(target({ action: "discard" }), false).catch(function () {});
        if (draftInput) {
          draftInput.value = newToken();
        }
        say("Autosave discarded.");
      }
      offer.remove();
      if (status) {
        status.setAttribute("tabindex", "-1");
        status.focus();
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
