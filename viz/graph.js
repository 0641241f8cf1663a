/* dxkg graph page: draws the visible part of the embedded graph with vis-network and grows it on demand.
 *
 * Every string from the data reaches the page through textContent or vis-network's canvas, never as
 * markup. State (language, filters, search, selection, shown nodes, zoom) lives in the URL fragment,
 * so a link reproduces a view, also from file://. */
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("dxkg-data").textContent);
  var V = D.view;
  var FONT = getComputedStyle(document.body).fontFamily;
  var REVEAL_MAX = 40;
  var HUB = {Prefecture: 1, SuccessFactor: 1, Driver: 1, Principle: 1, ValueCategory: 1, Domain: 1, Technology: 1,
    Pitfall: 1, Countermeasure: 1};
  var PAGED = {Municipality: 1, Initiative: 1, Practice: 1, SuccessFactor: 1, Driver: 1, Principle: 1, Plan: 1};
  var UI = {
    ja: {search: "検索", searchHint: "名前・地域・コード", type: "種類", prefecture: "都道府県", factor: "成功要因",
      driver: "ドライバー", all: "すべて", showAll: "すべて表示", reset: "最初の表示", fit: "全体を見る",
      png: "PNG保存", nodesCsv: "ノードCSV", edgesCsv: "エッジCSV", shown: "表示中", of: "件中",
      matches: "件が該当", hiddenMark: "（非表示・クリックで表示）", more: "ほか", help:
      "ノードをクリックすると詳細と引用、ダブルクリックで中身を展開します。検索・絞り込みの結果はここに一覧されます。",
      facts: "データ", quotes: "引用と出典", neighbours: "つながり", source: "出典", copy: "コピー",
      copied: "コピーしました", page: "このページを開く", expand: "中身を展開", neighboursBtn: "隣接をすべて表示",
      collapse: "折りたたむ", back: "← 一覧に戻る", count: "件数", relation: "関係", basis: "根拠", note: "説明",
      about: "対象", municipality: "市区町村", legend: "凡例", folded: "折りたたまれた項目", tooMany: "多すぎるため最初の",
      shownOnly: "件のみ表示", noFont: "日本語フォントが見つかりません。日本語の名前が □ で表示されます。",
      noFontFix: "No Japanese font found: Japanese names show as empty boxes. Install one, e.g. on Debian/Ubuntu: " +
        "sudo apt install fonts-noto-cjk (Windows and macOS have Yu Gothic, Meiryo or Hiragino).",
      edge: "リンク", from: "から", to: "へ", iri: "IRI", close: "閉じる", language: "言語", export: "保存"},
    en: {search: "Search", searchHint: "name, place or code", type: "Type", prefecture: "Prefecture",
      factor: "Factor", driver: "Driver", all: "all", showAll: "Show all", reset: "Start view", fit: "Fit",
      png: "PNG", nodesCsv: "Nodes CSV", edgesCsv: "Edges CSV", shown: "shown", of: "of", matches: "matches",
      hiddenMark: " (hidden: click to show)", more: "and", help:
      "Click a node for its facts and quotes; double-click to expand what it holds. Search and filter results are listed here.",
      facts: "Facts", quotes: "Quotes and sources", neighbours: "Links", source: "Source", copy: "Copy",
      copied: "Copied", page: "Open its page", expand: "Expand", neighboursBtn: "Show all neighbours",
      collapse: "Collapse", back: "← back to the list", count: "count", relation: "relation", basis: "basis",
      note: "note", about: "about", municipality: "municipality", legend: "Legend", folded: "items folded inside",
      tooMany: "Too many: showing the first", shownOnly: "only", noFont: "No Japanese font found.",
      noFontFix: "Japanese names show as empty boxes. Install one, e.g. on Debian/Ubuntu: sudo apt install " +
        "fonts-noto-cjk (Windows and macOS have Yu Gothic, Meiryo or Hiragino).",
      edge: "Link", from: "from", to: "to", iri: "IRI", close: "Close", language: "Language", export: "Export"}
  };

  // ---------------------------------------------------------------- data indexes
  var byId = {}, children = {}, incident = {};
  D.nodes.forEach(function (n) { byId[n.id] = n; });
  D.nodes.forEach(function (n) {
    if (n.parent && byId[n.parent]) { (children[n.parent] = children[n.parent] || []).push(n.id); }
  });
  D.edges.forEach(function (e, i) {
    (incident[e.from] = incident[e.from] || []).push(i);
    (incident[e.to] = incident[e.to] || []).push(i);
  });
  var startIds = (V.start || D.nodes.map(function (n) { return n.id; })).filter(function (id) { return byId[id]; });
  var start = new Set(startIds);
  var state = {lang: V.lang, sel: null, selEdge: null, q: "", f: {type: "", prefecture: "", factor: "", driver: ""},
    all: false, zoom: null};
  var visible = new Set(startIds);
  var revealed = new Set();  // shown for the current search or filter; dropped when it is cleared
  var pos = {};  // last known position of every node ever drawn
  Object.keys(V.positions || {}).forEach(function (id) { pos[id] = {x: V.positions[id][0], y: V.positions[id][1]}; });

  function t(key) { return UI[state.lang][key]; }
  function L(text) {
    if (text === null || text === undefined) { return ""; }
    if (typeof text === "string") { return text; }
    return text[state.lang] || text.en || text.ja || "";
  }
  function name(id) {
    if (byId[id]) { return L(byId[id].l); }
    if (D.names[id]) { return L(D.names[id]); }
    return id;
  }
  function kindName(kind) { var k = D.kinds[kind]; return k ? L(k) : kind; }
  function norm(s) { return String(s || "").normalize("NFKC").toLowerCase(); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = text; }
    return e;
  }
  function clear(e) { while (e.firstChild) { e.removeChild(e.firstChild); } return e; }

  // ---------------------------------------------------------------- labels
  function width(s) {
    var w = 0;
    for (var i = 0; i < s.length; i++) { w += s.charCodeAt(i) > 0x2e7f ? 2 : 1; }
    return w;
  }
  // Up to three lines of about nine Japanese characters (eighteen Latin ones); Latin text breaks at spaces.
  function wrap(text) {
    var budget = 18, lines = [], line = "", i, ch;
    for (i = 0; i < text.length && lines.length < 3; i++) {
      ch = text[i];
      if (width(line + ch) > budget && line) {
        var cut = line.lastIndexOf(" ");
        if (cut > line.length / 3) { lines.push(line.slice(0, cut)); line = line.slice(cut + 1); }
        else { lines.push(line); line = ""; }
      }
      if (!(ch === " " && !line)) { line += ch; }
    }
    if (lines.length < 3 && line) { lines.push(line); line = ""; }
    if (i < text.length || line) { lines[lines.length - 1] = lines[lines.length - 1].replace(/.$/, "") + "…"; }
    return lines.join("\n");
  }
  function hiddenInside(id) {
    var n = byId[id], count = n.more || 0;
    (children[id] || []).forEach(function (k) { if (!visible.has(k)) { count += 1 + hiddenBelow(k); } });
    return count;
  }
  function hiddenBelow(id) {
    var count = byId[id].more || 0;
    (children[id] || []).forEach(function (k) { count += 1 + hiddenBelow(k); });
    return count;
  }
  function hiddenChildren(id) {
    return (byId[id].more || 0) + (children[id] || []).filter(function (k) { return !visible.has(k); }).length;
  }
  // The label wraps to three lines; a practice or initiative says its town; "+n" counts what is folded inside.
  function nodeLabel(n) {
    var s = wrap(L(n.l)), h = hiddenChildren(n.id);
    if (n.town && (n.kind === "Practice" || n.kind === "Initiative") && !visible.has(n.town)) {
      var lines = s.split("\n");
      s = lines.slice(0, 2).join("\n") + (lines.length > 2 ? "…" : "") + "\n〔" + name(n.town) + "〕";
    }
    return h ? s + "\n+" + h : s;
  }

  // ---------------------------------------------------------------- filters and search
  function passes(n) {
    var f = state.f;
    if (f.type && n.kind !== f.type) { return false; }
    return ["prefecture", "factor", "driver"].every(function (k) {
      if (!f[k]) { return true; }
      var values = (n.facets || {})[k];
      if (values) { return values.indexOf(f[k]) >= 0; }
      return !!HUB[n.kind] && !f.type;
    });
  }
  function filtering() { return !!(state.f.type || state.f.prefecture || state.f.factor || state.f.driver); }
  function haystack(n) {
    if (!n._hay) {
      n._hay = norm([n.l.ja, n.l.en, n.code || "", n.id, n.town ? L(D.names[n.town]) : "",
        n.town && D.names[n.town] ? D.names[n.town].ja + " " + D.names[n.town].en : ""].join(" "));
    }
    return n._hay;
  }
  function results() {
    if (!state.q && !filtering()) { return []; }
    var words = norm(state.q).split(/\s+/).filter(Boolean);
    var found = D.nodes.filter(function (n) {
      if (!passes(n)) { return false; }
      if (!words.length) { return state.f.type || !HUB[n.kind]; }
      var hay = haystack(n);
      return words.every(function (w) { return hay.indexOf(w) >= 0; });
    });
    // Nodes whose own name matches come first, then those that match by their town; by kind, then name.
    var order = Object.keys(D.kinds);
    var own = function (n) {
      var hay = norm(n.l.ja + " " + n.l.en + " " + (n.code || "") + " " + n.id);
      return words.every(function (w) { return hay.indexOf(w) >= 0; }) ? 0 : 1;
    };
    found.forEach(function (n) { n._own = words.length ? own(n) : 0; });
    found.sort(function (a, b) {
      return a._own - b._own || order.indexOf(a.kind) - order.indexOf(b.kind) || L(a.l).localeCompare(L(b.l));
    });
    return found;
  }
  function isMatch(n) {
    if (!state.q) { return true; }
    var hay = haystack(n);
    return norm(state.q).split(/\s+/).filter(Boolean).every(function (w) { return hay.indexOf(w) >= 0; });
  }

  // ---------------------------------------------------------------- what is drawn
  function rep(id) {
    for (var guard = 0; id && guard < 12; guard++) {
      if (visible.has(id)) { return passes(byId[id]) ? id : null; }
      id = byId[id] ? byId[id].parent : null;
    }
    return null;
  }
  function drawnEdges() {
    var agg = {};
    D.edges.forEach(function (e, i) {
      var a = rep(e.from), b = rep(e.to);
      if (!a || !b || a === b) { return; }
      var key = a + "|" + e.rel + "|" + b, g = agg[key];
      if (!g) { g = agg[key] = {id: key, from: a, to: b, rel: e.rel, n: 0, members: []}; }
      g.n += e.n || 1;
      g.members.push(i);
    });
    return Object.keys(agg).sort().map(function (k) { return agg[k]; });
  }
  function visEdge(g) {
    var first = D.edges[g.members[0]];
    var width = first.width && g.members.length === 1 ? first.width : 1 + 1.5 * Math.log(g.n);
    var out = {id: g.id, from: g.from, to: g.to, width: Math.round(width * 100) / 100,
      dashes: !!first.dashes, title: edgeTip(g)};
    if (first.arrows === false) { out.arrows = {to: {enabled: false}}; }
    if (first.color) { out.color = {color: first.color}; }
    return out;
  }
  function visNode(n) {
    var k = D.kinds[n.kind] || {color: "#999", shape: "dot"};
    var out = {id: n.id, label: nodeLabel(n), shape: n.shape || k.shape, color: n.color || k.color,
      size: n.size || 14, title: nodeTip(n), opacity: 1, borderWidth: 1,
      font: {face: FONT, size: 13, color: "#222", strokeWidth: 3, strokeColor: "#ffffff", multi: false}};
    if (n.id === V.focus) { out.borderWidth = 4; }
    if (state.q && isMatch(n)) {
      out.borderWidth = 4;
      out.color = {background: out.color, border: "#ff7f00", highlight: {background: out.color, border: "#ff7f00"}};
    }
    if (state.q && !isMatch(n)) { out.opacity = 0.25; out.font = {face: FONT, size: 13, color: "#bbb", strokeWidth: 0}; }
    return out;
  }
  function shownIds() {
    return D.nodes.filter(function (n) { return visible.has(n.id) && passes(n); }).map(function (n) { return n.id; });
  }

  // ---------------------------------------------------------------- the network
  var container = document.getElementById("graph");
  var nodes = null, edges = null, network = null;  // made once the header is filled and has its final height
  var busy = 0;

  function remember() {
    var p = network.getPositions();
    Object.keys(p).forEach(function (id) { pos[id] = p[id]; });
  }
  function anchorOf(id) {
    var n = byId[id];
    for (var up = n.parent, guard = 0; up && guard < 12; guard++, up = byId[up] && byId[up].parent) {
      if (pos[up] && nodes.get(up)) { return up; }
    }
    var near = (incident[id] || []).map(function (i) {
      var e = D.edges[i]; return e.from === id ? e.to : e.from;
    }).filter(function (o) { return nodes.get(o); });
    return near.length ? near[0] : null;
  }
  // New nodes go on arcs just outside what they belong to, facing away from the middle of the drawing,
  // row after row, so an expansion never lands on top of the labels already there.
  function placeNew(ids) {
    var groups = {}, mid = {x: 0, y: 0}, count = 0;
    nodes.getIds().forEach(function (id) { if (pos[id]) { mid.x += pos[id].x; mid.y += pos[id].y; count += 1; } });
    if (count) { mid.x /= count; mid.y /= count; }
    ids.forEach(function (id) {
      var a = anchorOf(id) || "";
      (groups[a] = groups[a] || []).push(id);
    });
    Object.keys(groups).forEach(function (a) {
      var centre = a && pos[a] ? pos[a] : mid, list = groups[a];
      var out = a ? Math.atan2(centre.y - mid.y, centre.x - mid.x) : -Math.PI / 2;
      if (a && Math.abs(centre.x - mid.x) + Math.abs(centre.y - mid.y) < 1) { out = -Math.PI / 2; }
      var placed = 0, row = 0;
      while (placed < list.length) {
        var radius = 130 + row * 95, spread = Math.min(Math.PI * 1.2, 2.6);
        var fit = Math.max(1, Math.floor(radius * spread / 120));
        var here = list.slice(placed, placed + fit);
        here.forEach(function (id, i) {
          var angle = out + (here.length === 1 ? 0 : (i / (here.length - 1) - 0.5) * spread * here.length / fit);
          pos[id] = {x: centre.x + radius * Math.cos(angle), y: centre.y + radius * Math.sin(angle)};
        });
        placed += here.length;
        row += 1;
      }
    });
  }
  // Draw what should be drawn; new nodes are placed near what they belong to and laid out locally.
  function sync(after) {
    remember();
    var want = shownIds(), wantSet = new Set(want);
    var have = nodes.getIds();
    nodes.remove(have.filter(function (id) { return !wantSet.has(id); }));
    var fresh = want.filter(function (id) { return !nodes.get(id); });
    if (!state.all) { placeNew(fresh.filter(function (id) { return !pos[id]; })); }
    var update = want.map(function (id) {
      var v = visNode(byId[id]);
      if (fresh.indexOf(id) >= 0 && pos[id]) { v.x = pos[id].x; v.y = pos[id].y; }
      return v;
    });
    nodes.update(update);
    var drawn = drawnEdges().map(visEdge), keep = new Set(drawn.map(function (e) { return e.id; }));
    edges.remove(edges.getIds().filter(function (id) { return !keep.has(id); }));
    edges.update(drawn);
    updateCounts();
    // Physics lays out "show all" and views without a fixed layout; expansions keep their arcs.
    var fixedLayout = Object.keys(V.positions || {}).length > 0;
    if (fresh.length && (state.all || (!fixedLayout && fresh.length === want.length))) {
      relax(fresh, 0, after);
    } else if (after) { after(); }
  }
  // A short physics run that moves only the new nodes (or all, when nothing was fixed before).
  function relax(moving, fixedCount, after) {
    busy += 1;
    document.body.removeAttribute("data-settled");
    var movingSet = new Set(moving);
    nodes.update(nodes.getIds().map(function (id) { return {id: id, fixed: fixedCount > 0 && !movingSet.has(id)}; }));
    var iterations = Math.min(300, 80 + moving.length * 2);
    network.setOptions({physics: {enabled: true, solver: "forceAtlas2Based",
      forceAtlas2Based: {gravitationalConstant: -80, springLength: 110, avoidOverlap: 0.6},
      stabilization: {enabled: true, iterations: iterations, updateInterval: 50, fit: false}}});
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({physics: false});
      nodes.update(nodes.getIds().map(function (id) { return {id: id, fixed: false}; }));
      remember();
      busy -= 1;
      if (after) { after(); }
      settle();
    });
    network.stabilize(iterations);
  }
  function settle() {
    if (!busy) { document.body.setAttribute("data-settled", "1"); }
  }
  // Fit node centres with room for labels around them (vis-network's own fit counts the label boxes
  // with a 10 % margin on top, which leaves the labels of a ring layout needlessly small).
  function fitTo(ids) {
    var list = (ids || nodes.getIds()).filter(function (id) { return nodes.get(id); });
    if (!list.length) { list = nodes.getIds(); }
    if (!list.length) { return; }
    var p = network.getPositions(list), box = {x0: Infinity, x1: -Infinity, y0: Infinity, y1: -Infinity};
    list.forEach(function (id) {
      var q = p[id], r = (byId[id] && byId[id].size) || 14;
      box.x0 = Math.min(box.x0, q.x - r); box.x1 = Math.max(box.x1, q.x + r);
      box.y0 = Math.min(box.y0, q.y - r); box.y1 = Math.max(box.y1, q.y + r);
    });
    var w = Math.max(100, container.clientWidth - 130), h = Math.max(100, container.clientHeight - 70);
    var scale = Math.min(1.4, w / Math.max(1, box.x1 - box.x0), h / Math.max(1, box.y1 - box.y0));
    network.moveTo({position: {x: (box.x0 + box.x1) / 2, y: (box.y0 + box.y1) / 2 + 18 / scale}, scale: scale,
      animation: false});
  }

  // Zoom out to everything only when some of `ids` fall outside the view; otherwise leave the zoom be.
  function keepInView(ids) {
    var p = network.getPositions(ids), w = container.clientWidth, h = container.clientHeight;
    var outside = ids.some(function (id) {
      if (!p[id]) { return false; }
      var d = network.canvasToDOM(p[id]);
      return d.x < 40 || d.y < 30 || d.x > w - 40 || d.y > h - 40;
    });
    if (outside) { fitTo(); }
  }

  // ---------------------------------------------------------------- growing and shrinking
  function neighbours(id) {
    return (incident[id] || []).map(function (i) {
      var e = D.edges[i]; return e.from === id ? e.to : e.from;
    }).filter(function (o, i, a) { return byId[o] && a.indexOf(o) === i; });
  }
  function show(ids) {
    var todo = ids.filter(function (id, i) { return !visible.has(id) && ids.indexOf(id) === i; });
    var added = todo.slice(0, Math.max(0, V.max_nodes - visible.size));
    added.forEach(function (id) { visible.add(id); });
    note(added.length < todo.length ? t("tooMany") + " " + added.length + " " + t("shownOnly") : "");
    return added;
  }
  function descendants(id) {
    var out = [];
    (children[id] || []).forEach(function (k) { out.push(k); out = out.concat(descendants(k)); });
    return out;
  }
  function expand(id) {
    var kids = (children[id] || []).filter(function (k) { return !visible.has(k); });
    var added = show(kids.length ? kids : neighbours(id).filter(function (k) { return !visible.has(k); }));
    if (added.length) { state.all = false; sync(function () { keepInView([id].concat(added)); saveState(); }); }
    return added.length;
  }
  function expandNeighbours(id) {
    var added = show(neighbours(id).filter(function (k) { return !visible.has(k); }));
    if (added.length) { sync(function () { keepInView([id].concat(added)); saveState(); }); }
  }
  function collapse(id) {
    descendants(id).forEach(function (k) { visible.delete(k); revealed.delete(k); });
    sync();
    saveState();
  }
  // Double-click: show what a node holds; when all of it is shown, fold it back; a node that holds
  // nothing shows its neighbours instead.
  function toggle(id) {
    var kids = children[id] || [];
    if (kids.length && kids.every(function (k) { return visible.has(k); })) { collapse(id); } else { expand(id); }
  }
  function showAll() {
    state.all = true;
    var kinds = {};
    D.nodes.forEach(function (n) { kinds[n.kind] = (kinds[n.kind] || 0) + 1; });
    var total = D.nodes.length, folded = {};
    D.fold_order.forEach(function (k) {
      if (total > V.max_nodes && kinds[k]) { folded[k] = 1; total -= kinds[k]; }
    });
    visible = new Set(D.nodes.filter(function (n) { return !folded[n.kind]; }).map(function (n) { return n.id; }));
    nodes.clear();
    edges.clear();
    pos = {};
    sync(function () { fitTo(); saveState(); });
  }
  function resetView() {
    state.all = false;
    state.q = ""; state.sel = null; state.selEdge = null; state.zoom = null;
    Object.keys(state.f).forEach(function (k) { state.f[k] = ""; });
    visible = new Set(startIds);
    revealed = new Set();
    nodes.clear(); edges.clear();
    pos = {};
    Object.keys(V.positions || {}).forEach(function (id) { pos[id] = {x: V.positions[id][0], y: V.positions[id][1]}; });
    syncControls();
    sync(function () { fitTo(); saveState(); });
    renderPanel();
  }

  // ---------------------------------------------------------------- search and filters in the page
  var searchTimer = null;
  function onSearch(now) {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(function () {
      state.q = document.getElementById("search").value.trim();
      state.sel = null; state.selEdge = null;
      applyQuery(true);
    }, now ? 0 : 350);
  }
  // Show the matches of the current search and filters (up to REVEAL_MAX more nodes), highlight and zoom to them.
  function applyQuery(zoom) {
    revealed.forEach(function (id) { if (!start.has(id)) { visible.delete(id); } });
    revealed = new Set();
    var found = results();
    var hidden = found.filter(function (n) { return !visible.has(n.id); }).slice(0, REVEAL_MAX);
    hidden.forEach(function (n) { visible.add(n.id); revealed.add(n.id); });
    network.unselectAll();
    sync(function () {
      if (zoom && found.length) {
        fitTo(found.map(function (n) { return n.id; }));
      } else if (zoom) { fitTo(); }
      saveState();
    });
    renderPanel();
  }
  function select(id, reveal) {
    if (!byId[id]) { return; }
    state.sel = id; state.selEdge = null;
    var after = function () {
      network.selectNodes([id]);
      network.focus(id, {scale: Math.max(network.getScale(), 0.9), animation: false});
      writeHash();
      renderPanel();
    };
    if (reveal && !visible.has(id)) {
      visible.add(id);
      if (!passes(byId[id])) { Object.keys(state.f).forEach(function (k) { state.f[k] = ""; }); syncControls(); }
      sync(after);
    } else if (!nodes.get(id) && !passes(byId[id])) {
      Object.keys(state.f).forEach(function (k) { state.f[k] = ""; });
      syncControls();
      sync(after);
    } else { after(); }
  }

  // ---------------------------------------------------------------- tooltips and the side panel
  function nodeTip(n) {
    var box = el("div", "tip");
    box.appendChild(el("b", null, L(n.l)));
    var line = kindName(n.kind) + (n.town ? " · " + name(n.town) : "");
    box.appendChild(el("div", null, line));
    var other = state.lang === "ja" ? n.l.en : n.l.ja;
    if (other && other !== L(n.l)) { box.appendChild(el("div", "muted", other)); }
    var h = hiddenChildren(n.id), all = hiddenInside(n.id);
    if (h) { box.appendChild(el("div", "muted", "+" + h + " " + t("folded") + (all > h ? " (" + all + ")" : ""))); }
    return box;
  }
  function edgeTip(g) {
    var box = el("div", "tip");
    box.appendChild(el("b", null, relName(g.rel)));
    box.appendChild(el("div", null, name(g.from) + " → " + name(g.to)));
    if (g.n > 1) { box.appendChild(el("div", null, t("count") + ": " + g.n)); }
    var first = D.edges[g.members[0]];
    if (g.members.length === 1 && first.q) { box.appendChild(el("div", "q", "「" + first.q + "」")); }
    return box;
  }
  function relName(rel) { return D.rels[rel] ? L(D.rels[rel]) : rel; }
  var panel = document.getElementById("panel");

  function link(id, text) {
    var a = el("a", "node-link", text || name(id));
    a.href = "#";
    a.setAttribute("data-id", id);
    a.addEventListener("click", function (ev) { ev.preventDefault(); select(id, true); });
    return a;
  }
  function swatch(kind, colour) {
    var k = D.kinds[kind] || {color: "#999", shape: "dot"};
    return shapeIcon(k.shape, colour || k.color);
  }
  function copyButton(text) {
    var b = el("button", "copy", t("copy"));
    b.type = "button";
    b.addEventListener("click", function () {
      var done = function () { b.textContent = t("copied"); setTimeout(function () { b.textContent = t("copy"); }, 1500); };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, function () { fallbackCopy(text); done(); });
      } else { fallbackCopy(text); done(); }
    });
    return b;
  }
  function fallbackCopy(text) {
    var area = el("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed"; area.style.left = "-1000px";
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } catch (e) { /* nothing more to try */ }
    document.body.removeChild(area);
  }
  function quoteBlock(q, about) {
    var box = el("div", "quote");
    var text = el("blockquote", null, "「" + q.q + "」");
    box.appendChild(text);
    var cite = el("div", "cite");
    var src = q.src ? name(q.src) : "";
    if (about) { cite.appendChild(link(about)); cite.appendChild(document.createTextNode(" · ")); }
    if (q.about) { cite.appendChild(el("span", "about", L(q.about) + " · ")); }
    if (src) { cite.appendChild(el("span", "src", t("source") + ": " + src)); }
    if (q.basis) { cite.appendChild(el("span", "basis", " · " + t("basis") + ": " + (D.terms[q.basis] ? L(D.terms[q.basis]) : q.basis))); }
    box.appendChild(cite);
    if (q.note) { box.appendChild(el("div", "note", L(q.note))); }
    box.appendChild(copyButton("「" + q.q + "」" + (src ? "（" + src + "）" : "")));
    return box;
  }
  function pageHref(id) {
    if (V.page_base === null || V.page_base === undefined || !byId[id] || !PAGED[byId[id].kind]) { return null; }
    return V.page_base + id.replace(/\//g, "-") + ".html";
  }
  function renderNode(n) {
    var head = el("div", "head");
    head.appendChild(swatch(n.kind, n.color));
    head.appendChild(el("span", "kind", kindName(n.kind)));
    panel.appendChild(head);
    panel.appendChild(el("h2", null, L(n.l)));
    var other = state.lang === "ja" ? n.l.en : n.l.ja;
    if (other && other !== L(n.l)) { panel.appendChild(el("div", "other", other)); }
    if (n.town) {
      var where = el("div", "town", t("municipality") + ": ");
      where.appendChild(link(n.town));
      panel.appendChild(where);
    }
    var iri = el("div", "iri");
    iri.appendChild(el("code", null, "dxid:" + n.id));
    iri.appendChild(copyButton(D.id_ns + n.id));
    panel.appendChild(iri);
    var actions = el("div", "actions");
    var href = pageHref(n.id);
    if (href) { var a = el("a", "page", t("page")); a.href = href; actions.appendChild(a); }
    if ((children[n.id] || []).some(function (k) { return !visible.has(k); }) || n.more) {
      actions.appendChild(button(t("expand") + " (+" + hiddenChildren(n.id) + ")", function () { expand(n.id); }));
    } else if ((children[n.id] || []).length) {
      actions.appendChild(button(t("collapse"), function () { collapse(n.id); }));
    }
    if (neighbours(n.id).some(function (k) { return !visible.has(k); })) {
      actions.appendChild(button(t("neighboursBtn"), function () { expandNeighbours(n.id); }));
    }
    panel.appendChild(actions);
    if (n.d) { panel.appendChild(el("p", "desc", L(n.d))); }
    var facts = (n.info || []).map(function (f) { return [L(f[0]), L(f[1])]; }).concat((n.facts || []).map(function (f) {
      return [D.terms[f[0]] ? L(D.terms[f[0]]) : f[0], L(f[1])];
    }));
    if (facts.length) {
      panel.appendChild(el("h3", null, t("facts")));
      var dl = el("dl");
      facts.forEach(function (f) { dl.appendChild(el("dt", null, f[0])); dl.appendChild(el("dd", null, f[1])); });
      panel.appendChild(dl);
    }
    var quotes = [];
    (n.quotes || []).forEach(function (q) { quotes.push([q, null]); });
    (incident[n.id] || []).forEach(function (i) {
      var e = D.edges[i];
      if (e.q) { quotes.push([e, e.from === n.id ? e.to : e.from]); }
    });
    (children[n.id] || []).forEach(function (k) {
      (byId[k].quotes || []).forEach(function (q) { quotes.push([q, k]); });
    });
    if (quotes.length) {
      panel.appendChild(el("h3", null, t("quotes") + " (" + quotes.length + ")"));
      quotes.forEach(function (q) { panel.appendChild(quoteBlock(q[0], q[1])); });
    }
    var groups = {};
    (incident[n.id] || []).forEach(function (i) {
      var e = D.edges[i], out = e.from === n.id, other = out ? e.to : e.from;
      var key = (out ? "→ " : "← ") + relName(e.rel);
      (groups[key] = groups[key] || []).push(other);
    });
    var keys = Object.keys(groups).sort();
    if (keys.length) {
      panel.appendChild(el("h3", null, t("neighbours")));
      keys.forEach(function (key) {
        var seen = {}, list = groups[key].filter(function (o) { var s = seen[o]; seen[o] = 1; return !s; });
        var box = el("div", "nb");
        box.appendChild(el("div", "rel", key + " (" + list.length + ")"));
        var ul = el("ul");
        list.sort(function (a, b) { return name(a).localeCompare(name(b)); }).forEach(function (o) {
          var li = el("li");
          li.appendChild(link(o));
          if (byId[o] && byId[o].town && byId[o].town !== n.id) { li.appendChild(el("span", "muted", " · " + name(byId[o].town))); }
          if (!visible.has(o)) { li.appendChild(el("span", "muted", t("hiddenMark"))); }
          ul.appendChild(li);
        });
        box.appendChild(ul);
        panel.appendChild(box);
      });
    }
  }
  function renderEdge(id) {
    var g = drawnEdges().filter(function (x) { return x.id === id; })[0];
    if (!g) { return renderList(); }
    panel.appendChild(el("div", "head", t("edge") + " · " + relName(g.rel)));
    var h = el("h2");
    h.appendChild(link(g.from)); h.appendChild(document.createTextNode(" → ")); h.appendChild(link(g.to));
    panel.appendChild(h);
    var info = [];
    if (g.n > 1) { info.push([t("count"), String(g.n)]); }
    g.members.forEach(function (i) { (D.edges[i].info || []).forEach(function (f) { info.push([L(f[0]), L(f[1])]); }); });
    if (info.length) {
      var dl = el("dl");
      info.forEach(function (f) { dl.appendChild(el("dt", null, f[0])); dl.appendChild(el("dd", null, f[1])); });
      panel.appendChild(dl);
    }
    var quoted = g.members.map(function (i) { return D.edges[i]; }).filter(function (e) { return e.q; });
    if (quoted.length) {
      panel.appendChild(el("h3", null, t("quotes") + " (" + quoted.length + ")"));
      quoted.forEach(function (e) { panel.appendChild(quoteBlock(e, e.from !== g.from ? e.from : (e.to !== g.to ? e.to : null))); });
    }
  }
  function renderList() {
    var found = results();
    if (!state.q && !filtering()) {
      panel.appendChild(el("p", "help", t("help")));
      return;
    }
    panel.appendChild(el("h3", null, found.length + " " + t("matches")));
    var ul = el("ul", "results");
    found.slice(0, 300).forEach(function (n) {
      var li = el("li"), text = el("span", "text");
      li.appendChild(swatch(n.kind, n.color));
      text.appendChild(link(n.id));
      if (n.town) { text.appendChild(el("span", "muted", " · " + name(n.town))); }
      if (!visible.has(n.id)) { text.appendChild(el("span", "muted", t("hiddenMark"))); }
      li.appendChild(text);
      ul.appendChild(li);
    });
    panel.appendChild(ul);
    if (found.length > 300) { panel.appendChild(el("p", "muted", t("more") + " " + (found.length - 300))); }
  }
  function renderPanel() {
    clear(panel);
    if (state.sel && byId[state.sel]) {
      if (state.q || filtering()) {
        panel.appendChild(button(t("back"), function () { state.sel = null; network.unselectAll(); saveState(); renderPanel(); }));
      }
      renderNode(byId[state.sel]);
    } else if (state.selEdge) {
      renderEdge(state.selEdge);
    } else { renderList(); }
  }
  function button(text, handler) {
    var b = el("button", null, text);
    b.type = "button";
    b.addEventListener("click", handler);
    return b;
  }
  function note(text) { document.getElementById("status").textContent = text; }
  function updateCounts() {
    if (!nodes) { return; }
    document.getElementById("shown").textContent = t("shown") + " " + nodes.length + " / " + D.nodes.length;
  }

  // ---------------------------------------------------------------- legend, menus, language
  var SVG = "http://www.w3.org/2000/svg";
  function shapeIcon(shape, colour) {
    var svg = document.createElementNS(SVG, "svg"), s;
    svg.setAttribute("width", "14"); svg.setAttribute("height", "14"); svg.setAttribute("viewBox", "0 0 14 14");
    svg.setAttribute("class", "icon");
    var poly = {star: "7,0.5 8.8,5 13.5,5.2 9.8,8.2 11.1,13 7,10.2 2.9,13 4.2,8.2 0.5,5.2 5.2,5",
      diamond: "7,0.5 13.5,7 7,13.5 0.5,7", triangle: "7,1 13.5,13 0.5,13", triangleDown: "0.5,1 13.5,1 7,13",
      hexagon: "3.5,1 10.5,1 13.5,7 10.5,13 3.5,13 0.5,7"}[shape];
    if (poly) { s = document.createElementNS(SVG, "polygon"); s.setAttribute("points", poly); }
    else if (shape === "square" || shape === "box") {
      s = document.createElementNS(SVG, "rect");
      s.setAttribute("x", shape === "box" ? "0.5" : "1.5"); s.setAttribute("y", shape === "box" ? "3" : "1.5");
      s.setAttribute("width", shape === "box" ? "13" : "11"); s.setAttribute("height", shape === "box" ? "8" : "11");
      if (shape === "box") { s.setAttribute("rx", "2"); }
    } else if (shape === "ellipse") {
      s = document.createElementNS(SVG, "ellipse");
      s.setAttribute("cx", "7"); s.setAttribute("cy", "7"); s.setAttribute("rx", "6.5"); s.setAttribute("ry", "4");
    } else {
      s = document.createElementNS(SVG, "circle");
      s.setAttribute("cx", "7"); s.setAttribute("cy", "7"); s.setAttribute("r", "5.5");
    }
    s.setAttribute("fill", colour);
    s.setAttribute("stroke", "#444"); s.setAttribute("stroke-width", "0.6");
    svg.appendChild(s);
    return svg;
  }
  function renderLegend() {
    var box = clear(document.getElementById("legend"));
    box.appendChild(el("b", null, t("legend") + ":"));
    D.legend.forEach(function (entry) {
      var item = el("span", "item");
      item.appendChild(shapeIcon(entry[2], entry[1]));
      item.appendChild(document.createTextNode(L(entry[0])));
      box.appendChild(item);
    });
    (V.encoding || []).forEach(function (text) { box.appendChild(el("span", "enc", L(text))); });
  }
  function fillSelect(id, values, label) {
    var select = clear(document.getElementById(id));
    var opt = el("option", null, t("all")); opt.value = ""; select.appendChild(opt);
    values.forEach(function (v) { var o = el("option", null, label(v)); o.value = v; select.appendChild(o); });
    select.value = id === "f-type" ? state.f.type : state.f[id.slice(2)];
  }
  function facetValues(key) {
    var seen = {};
    D.nodes.forEach(function (n) { ((n.facets || {})[key] || []).forEach(function (v) { seen[v] = 1; }); });
    return Object.keys(seen).sort(function (a, b) {
      var x = byId[a] && byId[a].code, y = byId[b] && byId[b].code;
      if (x && y) { return (parseInt(x, 10) || 0) - (parseInt(y, 10) || 0) || x.localeCompare(y); }
      return a.localeCompare(b);
    });
  }
  function syncControls() {
    var kinds = Object.keys(D.kinds).filter(function (k) { return D.nodes.some(function (n) { return n.kind === k; }); });
    fillSelect("f-type", kinds, kindName);
    ["prefecture", "factor", "driver"].forEach(function (k) { fillSelect("f-" + k, facetValues(k), name); });
    document.getElementById("search").value = state.q;
  }
  function setLang(lang) {
    state.lang = lang === "en" ? "en" : "ja";
    document.documentElement.lang = state.lang;
    document.title = L(V.title);
    document.getElementById("title").textContent = L(V.title);
    Array.prototype.forEach.call(document.querySelectorAll("[data-t]"), function (e) {
      e.textContent = t(e.getAttribute("data-t"));
    });
    document.getElementById("search").placeholder = t("searchHint");
    Array.prototype.forEach.call(document.querySelectorAll(".lang button"), function (b) {
      b.setAttribute("aria-pressed", String(b.getAttribute("data-lang") === state.lang));
    });
    document.getElementById("notes").textContent = (V.notes || []).map(L).join(" · ");
    syncControls();
    renderLegend();
    fontWarning();
    if (nodes && nodes.length) {
      nodes.update(nodes.getIds().map(function (id) { return visNode(byId[id]); }));
      edges.update(drawnEdges().map(visEdge));
    }
    updateCounts();
    renderPanel();
  }

  // ---------------------------------------------------------------- state in the URL fragment
  function enc(v) { return encodeURIComponent(v).replace(/%2F/g, "/").replace(/%2C/g, ","); }
  var saveTimer = null;
  function saveState() {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(writeHash, 60);
  }
  function writeHash() {
    var p = ["lang=" + state.lang];
    if (state.sel) { p.push("sel=" + enc(state.sel)); }
    if (state.q) { p.push("q=" + enc(state.q)); }
    Object.keys(state.f).forEach(function (k) { if (state.f[k]) { p.push(k + "=" + enc(state.f[k])); } });
    if (state.all) { p.push("all=1"); } else {
      var extra = [], gone = [];
      visible.forEach(function (id) { if (!start.has(id) && !revealed.has(id)) { extra.push(id); } });
      start.forEach(function (id) { if (!visible.has(id)) { gone.push(id); } });
      if (extra.length) { p.push("x=" + extra.sort().map(enc).join(",")); }
      if (gone.length) { p.push("h=" + gone.sort().map(enc).join(",")); }
    }
    if (state.zoom) { p.push("z=" + state.zoom); }
    var hash = "#" + p.join("&");
    if (location.hash !== hash) {
      try { history.replaceState(null, "", hash); } catch (e) { location.hash = hash; }
    }
  }
  function readHash() {
    var out = {};
    location.hash.replace(/^#/, "").split("&").forEach(function (part) {
      if (!part) { return; }
      var i = part.indexOf("=");
      var k = i < 0 ? part : part.slice(0, i), v = i < 0 ? "" : part.slice(i + 1);
      try { out[k] = decodeURIComponent(v.replace(/\+/g, " ")); } catch (e) { out[k] = v; }
    });
    return out;
  }
  // Restore the state a link carries: language, filters, search, shown nodes, selection, zoom.
  function restore(first) {
    var h = readHash();
    state.lang = h.lang === "en" || h.lang === "ja" ? h.lang : V.lang;
    state.q = h.q || "";
    Object.keys(state.f).forEach(function (k) { state.f[k] = h[k] || ""; });
    state.all = h.all === "1";
    state.sel = h.sel && byId[h.sel] ? h.sel : (first && !location.hash ? V.focus || null : null);
    state.zoom = /^[\d.]+,-?[\d.]+,-?[\d.]+$/.test(h.z || "") ? h.z : null;
    setLang(state.lang);
    var done = function () {
      if (state.sel) { network.selectNodes([state.sel]); }
      if (state.zoom) {
        var z = state.zoom.split(",").map(Number);
        network.moveTo({scale: z[0], position: {x: z[1], y: z[2]}, animation: false});
      } else if (state.q || filtering()) {
        fitTo(results().map(function (n) { return n.id; }));
      } else if (state.sel && !first) {
        network.focus(state.sel, {scale: 1, animation: false});
      } else { fitTo(); }
      renderPanel();
      settle();
    };
    if (state.all) {
      showAllFrom(done);
      return;
    }
    visible = new Set(startIds);
    (h.x || "").split(",").forEach(function (id) { if (byId[id]) { visible.add(id); } });
    (h.h || "").split(",").forEach(function (id) { visible.delete(id); });
    revealed = new Set();
    if (state.q || filtering()) {
      results().filter(function (n) { return !visible.has(n.id); }).slice(0, REVEAL_MAX).forEach(function (n) {
        visible.add(n.id); revealed.add(n.id);
      });
    }
    if (state.sel) { visible.add(state.sel); }
    sync(done);
  }
  function showAllFrom(done) {
    state.all = true;
    var kinds = {}, total = D.nodes.length, folded = {};
    D.nodes.forEach(function (n) { kinds[n.kind] = (kinds[n.kind] || 0) + 1; });
    D.fold_order.forEach(function (k) { if (total > V.max_nodes && kinds[k]) { folded[k] = 1; total -= kinds[k]; } });
    visible = new Set(D.nodes.filter(function (n) { return !folded[n.kind]; }).map(function (n) { return n.id; }));
    nodes.clear(); edges.clear(); pos = {};
    sync(done);
  }

  // ---------------------------------------------------------------- export
  function download(blob, filename) {
    var a = el("a");
    a.href = URL.createObjectURL(blob);
    a.download = filename;
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); document.body.removeChild(a); }, 1000);
  }
  function exportPng() {
    var src = container.querySelector("canvas");
    var c = document.createElement("canvas");
    c.width = src.width; c.height = src.height;
    var g = c.getContext("2d");
    g.fillStyle = "#ffffff"; g.fillRect(0, 0, c.width, c.height);
    g.drawImage(src, 0, 0);
    c.toBlob(function (blob) { download(blob, V.name + ".png"); }, "image/png");
  }
  function csv(rows) {
    return "\ufeff" + rows.map(function (r) {
      return r.map(function (v) {
        var s = v === null || v === undefined ? "" : String(v);
        return /[",\r\n]/.test(s) ? "\"" + s.replace(/"/g, "\"\"") + "\"" : s;
      }).join(",");
    }).join("\r\n") + "\r\n";
  }
  function exportNodes() {
    var p = network.getPositions();
    var rows = [["id", "iri", "kind", "label_ja", "label_en", "municipality", "folded_inside", "x", "y"]];
    nodes.getIds().forEach(function (id) {
      var n = byId[id];
      rows.push([id, D.id_ns + id, n.kind, n.l.ja, n.l.en, n.town ? name(n.town) : "", hiddenChildren(id),
        Math.round(p[id].x), Math.round(p[id].y)]);
    });
    download(new Blob([csv(rows)], {type: "text/csv;charset=utf-8"}), V.name + "-nodes.csv");
  }
  function exportEdges() {
    var rows = [["from", "to", "from_label", "to_label", "relation", "count"]];
    drawnEdges().forEach(function (g) {
      if (nodes.get(g.from) && nodes.get(g.to)) { rows.push([g.from, g.to, name(g.from), name(g.to), g.rel, g.n]); }
    });
    download(new Blob([csv(rows)], {type: "text/csv;charset=utf-8"}), V.name + "-edges.csv");
  }

  // ---------------------------------------------------------------- fonts
  // Japanese drawn with no Japanese font comes out as the same empty box as an unassigned code point.
  function glyph(ch) {
    var c = document.createElement("canvas");
    c.width = 48; c.height = 48;
    var g = c.getContext("2d");
    g.font = "36px " + FONT;
    g.textBaseline = "top";
    g.fillText(ch, 4, 4);
    return Array.prototype.join.call(g.getImageData(0, 0, 48, 48).data, "");
  }
  var fontOk = null;
  function fontWarning() {
    if (fontOk === null) {
      var box = glyph("\u0378");
      fontOk = glyph("\u65e5") !== box && glyph("\u3042") !== box;
    }
    var warn = document.getElementById("fontwarn");
    warn.hidden = fontOk;
    if (!fontOk) { warn.textContent = UI.en.noFont + " " + UI.en.noFontFix + " / " + UI.ja.noFont; }
  }

  // ---------------------------------------------------------------- events
  function bindNetwork() {
    network.on("click", function (p) {
      if (p.nodes.length) { state.sel = p.nodes[0]; state.selEdge = null; }
      else if (p.edges.length) { state.sel = null; state.selEdge = p.edges[0]; }
      else { state.sel = null; state.selEdge = null; }
      saveState();
      renderPanel();
    });
    network.on("doubleClick", function (p) { if (p.nodes.length) { toggle(p.nodes[0]); } });
    var zoomTimer = null;
    function onView() {
      clearTimeout(zoomTimer);
      zoomTimer = setTimeout(function () {
        var c = network.getViewPosition();
        state.zoom = [network.getScale().toFixed(3), c.x.toFixed(0), c.y.toFixed(0)].join(",");
        saveState();
      }, 200);
    }
    network.on("zoom", onView);
    network.on("dragEnd", function (p) { if (!p.nodes.length) { onView(); } else { remember(); } });
  }
  document.getElementById("search").addEventListener("input", function () { onSearch(false); });
  document.getElementById("search").addEventListener("keydown", function (e) {
    if (e.key === "Enter") { e.preventDefault(); onSearch(true); }
  });
  ["type", "prefecture", "factor", "driver"].forEach(function (k) {
    document.getElementById("f-" + k).addEventListener("change", function (e) {
      state.f[k] = e.target.value;
      state.sel = null;
      applyQuery(true);
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll(".lang button"), function (b) {
    b.addEventListener("click", function () { setLang(b.getAttribute("data-lang")); saveState(); });
  });
  document.getElementById("show-all").addEventListener("click", showAll);
  document.getElementById("reset").addEventListener("click", resetView);
  document.getElementById("fit").addEventListener("click", function () { state.zoom = null; fitTo(); saveState(); });
  document.getElementById("export-png").addEventListener("click", exportPng);
  document.getElementById("export-nodes").addEventListener("click", exportNodes);
  document.getElementById("export-edges").addEventListener("click", exportEdges);
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { state.sel = null; state.selEdge = null; network.unselectAll(); saveState(); renderPanel(); }
  });
  window.addEventListener("hashchange", function () { restore(false); });

  // The header (menus, legend, notes) takes its height before the network measures its canvas.
  setLang(/[#&]lang=en(&|$)/.test(location.hash) ? "en" : /[#&]lang=ja(&|$)/.test(location.hash) ? "ja" : V.lang);
  nodes = new vis.DataSet([]);
  edges = new vis.DataSet([]);
  network = new vis.Network(container, {nodes: nodes, edges: edges}, D.options);
  bindNetwork();
  window.dxkg = {network: network, nodes: nodes, edges: edges, data: D, visible: visible, state: state,
    select: select, expand: expand, showAll: showAll, fontOk: function () { return fontOk; },
    visibleSet: function () { return visible; }};
  restore(true);
})();
