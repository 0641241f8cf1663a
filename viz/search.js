/* Site search: matches the embedded index in the page (names in both languages, kind, place, code,
   description); results are built with textContent. Works from file:// with no request. */
(function () {
  "use strict";
  var index = JSON.parse(document.getElementById("index").textContent);
  var ui = JSON.parse(document.getElementById("ui").textContent);
  var box = document.getElementById("q"), hits = document.getElementById("hits"), count = document.getElementById("count");
  function norm(s) { return String(s || "").normalize("NFKC").toLowerCase(); }
  function pick(t) { return t ? t[ui.lang] || t.en || t.ja || "" : ""; }
  // Ranked: the page's own name first, then its place, kind or code, then its description.
  index.forEach(function (e) {
    e.own = norm([e.l.ja, e.l.en, e.c || ""].join(" "));
    e.name = e.own + " " + norm([e.w ? e.w.ja + " " + e.w.en : "", e.k.ja, e.k.en].join(" "));
    e.text = e.name + " " + norm(e.d ? e.d.ja + " " + e.d.en : "");
  });
  function run() {
    var words = norm(box.value).split(/\s+/).filter(Boolean);
    while (hits.firstChild) { hits.removeChild(hits.firstChild); }
    if (!words.length) { count.textContent = ""; return; }
    var found = [];
    index.forEach(function (e) {
      var rank = [e.own, e.name, e.text].findIndex(function (hay) {
        return words.every(function (w) { return hay.indexOf(w) >= 0; });
      });
      if (rank >= 0) { found.push([rank, e]); }
    });
    found.sort(function (a, b) { return a[0] - b[0] || pick(a[1].l).localeCompare(pick(b[1].l)); });
    count.textContent = found.length ? found.length + " " + ui.matches : ui.none;
    found.slice(0, 300).forEach(function (f) {
      var e = f[1], li = document.createElement("li"), a = document.createElement("a");
      a.href = e.u;
      a.textContent = pick(e.l);
      li.appendChild(a);
      var info = document.createElement("span");
      info.className = "muted";
      info.textContent = " · " + pick(e.k) + (e.w ? " · " + pick(e.w) : "");
      li.appendChild(info);
      hits.appendChild(li);
    });
  }
  var q = new URLSearchParams(location.search).get("q") || decodeURIComponent((location.hash.match(/q=([^&]*)/) || [])[1] || "");
  box.value = q;
  box.addEventListener("input", run);
  run();
})();
