// newsroom: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Go to Top: visible after one screen of scrolling; moves focus to the top.
  var toTop = document.querySelector("[data-go-to-top]");
  if (toTop) {
    var update = function () { toTop.hidden = window.scrollY < window.innerHeight; };
    update();
    window.addEventListener("scroll", update, { passive: true });
    toTop.addEventListener("click", function (event) {
      event.preventDefault();
      var reduce = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
      window.scrollTo({ top: 0, behavior: reduce ? "auto" : "smooth" });
      // Focus the first thing on the page, so the next Tab starts from the top.
      var first = document.querySelector(".skip-link");
      if (first) { first.focus({ preventScroll: true }); }
      if (history.replaceState) { history.replaceState(null, "", "#top"); }
    });
  }
})();

// Share: copy the link, and the platform's own share sheet where there is one.
(function () {
  "use strict";
  var status = document.querySelector("[data-share-status]");
  var say = function (text) { if (status) { status.textContent = text; } };

  var copy = document.querySelector("[data-copy-link]");
  if (copy && navigator.clipboard && window.isSecureContext) {
    copy.hidden = false;
    copy.addEventListener("click", function () {
      navigator.clipboard.writeText(copy.getAttribute("data-copy-link")).then(
        function () { say("Link copied."); },
        function () { say("Could not copy the link."); }
      );
    });
  }

  var native = document.querySelector("[data-native-share]");
  if (native && navigator.share) {
    native.hidden = false;
    native.addEventListener("click", function () {
      navigator.share({ title: native.getAttribute("data-title"), url: native.getAttribute("data-url") })
        .catch(function () { /* the reader closed the sheet */ });
    });
  }
})();
