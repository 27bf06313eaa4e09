/* The article form while writing: word count and reading time, embed cards
   of the body as typed, the public address of the slug, a search and sharing
   preview with length warnings, a copy button for the preview link, and
   spellcheck in the body. Everything comes from our own server; nothing is
   asked of a provider. No framework, no inline script. */
(function () {
  "use strict";

  // articles/text.py: tags count as spaces, 230 words a minute, rounded up.
  var WORDS_PER_MINUTE = 230;
  var TITLE_MAX = 60;
  var DESCRIPTION_MAX = 160;
  var CARDS_DELAY_MS = 600;
  // Paragraphs that may be an embed: nothing but an address (or a link), or a
  // [embed] shortcode. The server decides with the provider registry; this
  // only saves a request when no such line changed.
  var CANDIDATE = /<p[^>]*>(?:\s|&nbsp;|<br[^>]*>)*(?:<a[^>]*>)?([^<\s]+)(?:<\/a>)?(?:\s|&nbsp;|<br[^>]*>)*<\/p>|\[embed\][^\[]*\[\/embed\]/gi;

  var decoder = document.createElement("textarea");

  function plainText(html) {
    decoder.innerHTML = (html || "").replace(/<[^>]*>/g, " ");
    return decoder.value;
  }

  function wordCount(html) {
    var words = plainText(html).match(/\S+/g);
    return words ? words.length : 0;
  }

  function readingTime(words) {
    return words > 0 ? Math.ceil(words / WORDS_PER_MINUTE) : 0;
  }

  function field(name) {
    return document.querySelector('[name="' + name + '"]');
  }

  function value(name) {
    var element = field(name);
    return element ? element.value.trim() : "";
  }

  function rowOf(name) {
    var element = field(name);
    return element && element.closest(".form-row");
  }

  function text(id, content) {
    var element = document.getElementById(id);
    if (element) {
      element.textContent = content;
    }
  }

  function clip(content, max) {
    return content.length > max ? content.slice(0, max - 1).trimEnd() + "…" : content;
  }

  function csrfToken() {
    var input = document.querySelector('[name="csrfmiddlewaretoken"]');
    return input ? input.value : "";
  }

  // Word count ---------------------------------------------------------------

  function showStats(body) {
    var words = wordCount(body.value);
    var minutes = readingTime(words);
    var label = words === 1 ? "1 word" : words + " words";
    text("nr-stats", minutes ? label + " · " + minutes + " min read" : label);
  }

  // Embed cards ----------------------------------------------------------------

  function cardsUpdater(tools, body) {
    var url = tools.getAttribute("data-cards-url");
    var target = document.getElementById("nr-cards-body");
    var timer = null;
    var shown = null;
    var request = 0;

    function candidates() {
      return (body.value.match(CANDIDATE) || []).join("\n");
    }

    function load() {
      var key = candidates();
      if (key === shown) {
        return;
      }
      var mine = ++request;
      var data = new FormData();
      data.append("body", body.value);
      target.setAttribute("aria-busy", "true");
      fetch(url, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken() }
      })
        .then(function (response) {
          return response.text().then(function (html) {
            return { ok: response.ok, html: html };
          });
        })
        .then(function (answer) {
          if (mine !== request) {
            return; // a newer request is on its way
          }
          target.setAttribute("aria-busy", "false");
          if (answer.ok) {
            // Our own template's output (embed_cards.html), escaped there.
            target.innerHTML = answer.html;
            shown = key;
          } else {
            target.textContent = answer.html.slice(0, 300);
          }
        })
        .catch(function () {
          if (mine === request) {
            target.setAttribute("aria-busy", "false");
            target.textContent = "The embed preview is unavailable; the page will still show them.";
          }
        });
    }

    return function (now) {
      window.clearTimeout(timer);
      timer = window.setTimeout(load, now ? 0 : CARDS_DELAY_MS);
    };
  }

  // Address, search and sharing preview ---------------------------------------

  function publishDate() {
    var typed = value("published_at_0");
    var parts = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(typed);
    if (parts) {
      return [parts[1], ("0" + parts[2]).slice(-2), ("0" + parts[3]).slice(-2)];
    }
    var today = new Date();
    return [
      String(today.getFullYear()),
      ("0" + (today.getMonth() + 1)).slice(-2),
      ("0" + today.getDate()).slice(-2)
    ];
  }

  function permalink(pattern) {
    var slug = value("slug");
    if (!slug) {
      return "";
    }
    var date = publishDate();
    return pattern
      .replace("/2000/", "/" + date[0] + "/")
      .replace("/01/", "/" + date[1] + "/")
      .replace("/02/", "/" + date[2] + "/")
      .replace("SLUG", encodeURIComponent(slug));
  }

  function leadImage() {
    var select = field("image");
    if (select && select.selectedIndex > 0) {
      return "Image: " + select.options[select.selectedIndex].text;
    }
    var upload = field("image_upload");
    if (upload && upload.files && upload.files.length) {
      return "Image: " + upload.files[0].name + " (new upload)";
    }
    return "No lead image: shared links show no picture.";
  }

  function showPreview(pattern, body) {
    var address = permalink(pattern);
    text("nr-permalink-url", address || "(type a slug)");
    var title = value("seo_title") || value("title");
    var description =
      value("seo_description") || value("dek") || value("summary") ||
      plainText(body ? body.value : "").replace(/\s+/g, " ").trim().slice(0, 300);
    text("nr-serp-url", address);
    text("nr-serp-title", clip(title || "(no title yet)", TITLE_MAX));
    text("nr-serp-description", clip(description || "(no description yet)", DESCRIPTION_MAX));
    text("nr-serp-image", leadImage());
    var warnings = [];
    if (title.length > TITLE_MAX) {
      warnings.push(
        "The title has " + title.length + " characters: search engines cut it after about " +
          TITLE_MAX + ". Shorten it, or set a shorter SEO title."
      );
    }
    if (description.length > DESCRIPTION_MAX) {
      warnings.push(
        "The description has " + description.length + " characters: search engines cut it after about " +
          DESCRIPTION_MAX + ". Set a shorter SEO description."
      );
    }
    var list = document.getElementById("nr-serp-warnings");
    if (list) {
      list.replaceChildren.apply(
        list,
        warnings.map(function (warning) {
          var item = document.createElement("li");
          item.textContent = warning;
          return item;
        })
      );
    }
  }

  // Copy the preview link -----------------------------------------------------

  function startCopyButtons() {
    document.querySelectorAll("button[data-copy]").forEach(function (button) {
      var link = document.getElementById(button.getAttribute("data-copy"));
      var status = button.parentNode.querySelector(".nr-copy__status");
      if (!link || !navigator.clipboard) {
        return;
      }
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(link.href).then(
          function () {
            status.textContent = "Link copied.";
          },
          function () {
            status.textContent = "Could not copy: select the link and copy it.";
          }
        );
      });
    });
  }

  // Spellcheck ----------------------------------------------------------------

  function spellcheckBody() {
    var editors = document.querySelectorAll(".field-body .ProseMirror[contenteditable]");
    editors.forEach(function (editor) {
      if (editor.getAttribute("spellcheck") !== "true") {
        editor.setAttribute("spellcheck", "true");
      }
    });
    return editors.length > 0;
  }

  function start() {
    startCopyButtons();
    var tools = document.getElementById("nr-editor-tools");
    var body = field("body");
    if (!tools || !body) {
      return;
    }
    body.setAttribute("spellcheck", "true");
    if (!spellcheckBody()) {
      var observer = new MutationObserver(function () {
        if (spellcheckBody()) {
          observer.disconnect();
        }
      });
      observer.observe(document.body, { childList: true, subtree: true });
    }
    // The pieces go where they concern: stats and cards under the body, the
    // address under the slug.
    var bodyRow = rowOf("body");
    var slugRow = rowOf("slug");
    if (bodyRow) {
      bodyRow.after(document.getElementById("nr-stats"), document.getElementById("nr-cards"));
    }
    if (slugRow) {
      slugRow.append(document.getElementById("nr-permalink"));
    }
    tools.hidden = false;

    var pattern = tools.getAttribute("data-permalink-pattern");
    var updateCards = cardsUpdater(tools, body);
    var form = body.form;
    showStats(body);
    showPreview(pattern, body);
    updateCards(true);
    body.addEventListener("input", function () {
      showStats(body);
      updateCards(false);
    });
    form.addEventListener("input", function () {
      showPreview(pattern, body);
    });
    // Select2 (the image field) reports its choice through jQuery only, and
    // the admin fills the slug from the title on keyup: the preview catches
    // up on those too.
    ["change", "focusout", "keyup"].forEach(function (type) {
      form.addEventListener(type, function () {
        showPreview(pattern, body);
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
