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
      var target = document.getElementById("top");
      if (target) { target.focus({ preventScroll: true }); }
      if (history.replaceState) { history.replaceState(null, "", "#top"); }
    });
  }
})();
