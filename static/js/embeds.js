// newsroom embeds: load a provider's frame only when the reader asks.
// Cards (templates/embeds/embed.html) carry the frame's address and
// attributes in data-embed-* attributes; nothing third-party loads before a
// click, or before the reader has ticked "Always load content from ...".
(function () {
  "use strict";
  var PREFIX = "newsroom:embeds:consent:";

  var storage = (function () {
    try {
      var probe = PREFIX + "probe";
      window.localStorage.setItem(probe, "1");
      window.localStorage.removeItem(probe);
      return window.localStorage;
    } catch (error) {
      return null; // storage blocked: consent simply is not remembered
    }
  })();

  function remembered(provider) {
    return !!storage && storage.getItem(PREFIX + provider) === "yes";
  }

  function remember(provider, yes) {
    if (!storage) { return; }
    if (yes) { storage.setItem(PREFIX + provider, "yes"); } else { storage.removeItem(PREFIX + provider); }
  }

  function cardsOf(provider) {
    return Array.prototype.filter.call(
      document.querySelectorAll("[data-embed]"),
      function (card) { return card.getAttribute("data-embed-provider") === provider; }
    );
  }

  function load(card, moveFocus) {
    if (card.hasAttribute("data-embed-loaded")) { return; }
    var src = card.getAttribute("data-embed-src") || "";
    if (src.indexOf("https://") !== 0) { return; }
    var frame = document.createElement("iframe");
    frame.className = "embed__frame";
    frame.title = card.getAttribute("data-embed-title") || "";
    frame.setAttribute("loading", "lazy");
    frame.setAttribute("sandbox", card.getAttribute("data-embed-sandbox") || "");
    frame.setAttribute("allow", card.getAttribute("data-embed-allow") || "");
    frame.setAttribute("referrerpolicy", card.getAttribute("data-embed-referrer-policy") || "no-referrer");
    frame.setAttribute("height", card.getAttribute("data-embed-height") || "400");
    var width = card.getAttribute("data-embed-width");
    if (width) { frame.setAttribute("width", width); }
    var ratio = card.getAttribute("data-embed-ratio");
    if (ratio) { frame.classList.add("embed__frame--" + ratio); }
    frame.src = src;
    // The frame takes the consent note's place; the Load button goes with it.
    var consent = card.querySelector("[data-embed-consent]");
    var button = card.querySelector("[data-embed-load]");
    if (button) { button.remove(); }
    if (consent) { consent.replaceWith(frame); } else { card.appendChild(frame); }
    card.setAttribute("data-embed-loaded", "");
    // The button the reader pressed is gone: keep their place in the page.
    if (moveFocus) { frame.focus(); }
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-embed]"), function (card) {
    var provider = card.getAttribute("data-embed-provider");
    var consent = card.querySelector("[data-embed-consent]");
    var button = card.querySelector("[data-embed-load]");
    var checkbox = card.querySelector("[data-embed-remember]");
    if (!consent || !button) { return; }
    // Shown only now: without JavaScript they could do nothing.
    consent.hidden = false;
    button.hidden = false;
    if (checkbox) {
      checkbox.checked = remembered(provider);
      checkbox.addEventListener("change", function () {
        remember(provider, checkbox.checked);
        cardsOf(provider).forEach(function (other) {
          var box = other.querySelector("[data-embed-remember]");
          if (box) { box.checked = checkbox.checked; }
        });
      });
    }
    button.addEventListener("click", function () { load(card, true); });
    if (remembered(provider)) { load(card, false); }
  });
})();
