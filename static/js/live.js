// newsroom: live coverage. Polls the article's live.json for posts newer than
// the page and offers them behind an "N new updates" button; the page itself
// is complete without this file (a reload shows every post).
(function () {
  "use strict";
  var section = document.querySelector("[data-live-url]");
  if (!section || !window.fetch) { return; }
  var url = section.getAttribute("data-live-url");
  var after = parseInt(section.getAttribute("data-live-after"), 10) || 0;
  var interval = Math.max(parseInt(section.getAttribute("data-live-interval"), 10) || 15000, 200);
  var list = section.querySelector("[data-live-posts]");
  var notice = section.querySelector("[data-live-notice]");
  var button = section.querySelector("[data-live-button]");
  var pending = null;
  var delay = interval;
  var timer = null;

  var label = function (count, more) {
    if (more) { return "More than " + count + " new updates: show them"; }
    return count === 1 ? "1 new update" : count + " new updates";
  };

  var stop = function (text) {
    if (timer) { clearTimeout(timer); timer = null; }
    section.removeAttribute("data-live-polling");
    if (text && !pending) {
      var status = document.createElement("p");
      status.className = "live__ended";
      status.textContent = text;
      notice.appendChild(status);
    }
  };

  var schedule = function () {
    timer = setTimeout(poll, delay);
  };

  var poll = function () {
    if (document.hidden) { schedule(); return; }
    fetch(url + "?after=" + after, { cache: "no-cache", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.status === 404) { throw new Error("gone"); }
        if (!response.ok) { throw new Error("status " + response.status); }
        return response.json();
      })
      .then(function (data) {
        delay = interval;
        if (data.count > 0) {
          pending = data;
          button.textContent = label(data.count, data.more);
          button.hidden = false;
        }
        if (data.ended) {
          stop("Live coverage has ended.");
          return;
        }
        schedule();
      })
      .catch(function (error) {
        if (error.message === "gone") { stop(""); return; }
        // A network or server hiccup: try again, less often.
        delay = Math.min(delay * 2, 120000);
        schedule();
      });
  };

  var firstUnpinned = function () {
    var items = list.children;
    for (var i = 0; i < items.length; i++) {
      if (!items[i].hasAttribute("data-live-pinned")) { return items[i]; }
    }
    return null;
  };

  button.addEventListener("click", function () {
    if (!pending) { return; }
    if (pending.more) { window.location.reload(); return; }
    var empty = section.querySelector("[data-live-empty]");
    if (empty) { empty.remove(); }
    var first = null;
    // Oldest first, each above the ones before it: the list stays newest first.
    for (var i = pending.posts.length - 1; i >= 0; i--) {
      var post = pending.posts[i];
      if (document.getElementById("post-" + post.id)) { continue; }
      var holder = document.createElement("ol");
      holder.innerHTML = post.html;
      var item = holder.firstElementChild;
      list.insertBefore(item, post.pinned ? list.firstElementChild : firstUnpinned());
      first = item;
    }
    after = pending.latest;
    section.setAttribute("data-live-after", String(after));
    pending = null;
    button.hidden = true;
    button.textContent = "";
    if (first) {
      first.setAttribute("tabindex", "-1");
      first.focus();
    }
    if (!timer && !section.hasAttribute("data-live-polling")) {
      stop("Live coverage has ended.");
    }
  });

  section.setAttribute("data-live-polling", "");
  schedule();
})();
