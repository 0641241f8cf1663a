/* dxkg query page: CodeMirror editor with SPARQL completion, saved queries as examples, a local history,
 * and results that are shortened, linked, sortable, paged, charted and downloadable. Requests go to this
 * server's /sparql only (CSP connect-src 'self'); every value reaches the page through textContent. */
(function () {
  "use strict";
  var P = JSON.parse(document.getElementById("dxkg-page").textContent);
  var $ = function (id) { return document.getElementById(id); };
  var PAGE_SIZES = [50, 100, 500];
  var HISTORY_KEY = "dxkg-query-history", HISTORY_MAX = 50;
  var KEYWORDS = ["SELECT", "DISTINCT", "WHERE", "FILTER", "OPTIONAL", "UNION", "MINUS", "GROUP BY", "ORDER BY",
    "LIMIT", "OFFSET", "HAVING", "VALUES", "BIND", "AS", "ASK", "CONSTRUCT", "DESCRIBE", "PREFIX", "COUNT",
    "SUM", "AVG", "MIN", "MAX", "SAMPLE", "GROUP_CONCAT", "LANG", "LANGMATCHES", "STR", "STRSTARTS", "CONTAINS",
    "REGEX", "COALESCE", "IF", "EXISTS", "NOT EXISTS", "DESC", "ASC", "SEPARATOR"];
  var state = {vars: [], rows: [], raw: null, sortBy: null, sortDesc: false, page: 0, size: 100, view: "table",
    truncated: false, warning: ""};
  var labels = null;  // entity labels for completion, fetched once from this endpoint

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = text; }
    return e;
  }
  function clear(e) { while (e.firstChild) { e.removeChild(e.firstChild); } return e; }

  // ------------------------------------------------------------------ IRIs
  var prefixes = Object.keys(P.prefixes).map(function (k) { return [k, P.prefixes[k]]; })
    .sort(function (a, b) { return b[1].length - a[1].length; });
  function shorten(iri) {
    for (var i = 0; i < prefixes.length; i++) {
      var ns = prefixes[i][1];
      if (iri.indexOf(ns) === 0 && iri.length > ns.length) { return prefixes[i][0] + ":" + iri.slice(ns.length); }
    }
    return iri;
  }
  // The "page" of an entity: a permalink to this page with the query that lists its links both ways.
  function describeQuery(iri) {
    return "# Everything about " + shorten(iri) + "\n" +
      "SELECT ?direction ?property ?value ?label WHERE {\n" +
      "  { <" + iri + "> ?property ?value BIND(\"→\" AS ?direction) }\n" +
      "  UNION { ?value ?property <" + iri + "> BIND(\"←\" AS ?direction) }\n" +
      "  OPTIONAL { ?value rdfs:label ?label FILTER(LANG(?label) = \"ja\") }\n" +
      "} ORDER BY ?direction ?property ?value";
  }
  function permalink(query, run) { return "#query=" + encodeURIComponent(query) + (run ? "&run=1" : ""); }

  // ------------------------------------------------------------------ completion
  var TERMS = P.terms.map(function (t) {
    var info = [t.label_ja, t.label_en].filter(Boolean).join(" / ") + (t.definition ? "\n" + t.definition : "");
    return {label: "dx:" + t.local, type: t.kind === "class" ? "class" : "property", detail: t.label_ja || t.label_en,
      info: info, boost: t.kind === "class" ? 2 : 1};
  });
  var used = [];  // predicates and classes of other vocabularies the graph uses, fetched from the endpoint
  function loadCompletionData() {
    if (labels !== null) { return; }
    labels = [];
    var idq = "SELECT ?s ?l WHERE { ?s rdfs:label ?l FILTER(STRSTARTS(STR(?s), \"" + P.id_ns + "\")) }";
    sparql(idq).then(function (data) {
      labels = data.results.bindings.map(function (b) {
        return {label: b.l.value, type: "constant", detail: shorten(b.s.value),
          apply: "<" + b.s.value + ">", info: b.s.value};
      });
    }, function () { /* completion of names stays empty */ });
    sparql("SELECT DISTINCT ?t WHERE { { ?s ?t ?o } UNION { ?s a ?t } }").then(function (data) {
      var seen = {};
      TERMS.forEach(function (t) { seen[t.label] = 1; });
      data.results.bindings.forEach(function (b) {
        var short = shorten(b.t.value);
        if (short !== b.t.value && !seen[short]) { seen[short] = 1; used.push({label: short, type: "property"}); }
      });
    }, function () { /* nothing more to offer */ });
  }
  function complete(ctx) {
    loadCompletionData();
    var prefixed = ctx.matchBefore(/[A-Za-z][\w-]*:[\w-]*$/);
    if (prefixed) {
      var pfx = prefixed.text.split(":")[0];
      var options = TERMS.concat(used).filter(function (o) { return o.label.indexOf(pfx + ":") === 0; });
      if (pfx === "dxid") {
        options = (labels || []).filter(function (o) { return o.detail.indexOf("dxid:") === 0; }).map(function (o) {
          return {label: o.detail, type: "constant", detail: o.label, apply: o.apply, info: o.info};
        });
      }
      return {from: prefixed.from, options: options, validFor: /^[\w:-]*$/};
    }
    var variable = ctx.matchBefore(/[?$][\w]*$/);
    if (variable) {
      var seen = {}, vars = [];
      (ctx.state.doc.toString().match(/[?$][A-Za-z_]\w*/g) || []).forEach(function (v) {
        if (!seen[v] && v !== variable.text) { seen[v] = 1; vars.push({label: v, type: "variable"}); }
      });
      return {from: variable.from, options: vars};
    }
    var word = ctx.matchBefore(/[^\s{}()<>"'.;,?$:]+$/);
    if (!word && !ctx.explicit) { return null; }
    var from = word ? word.from : ctx.pos, text = word ? word.text : "";
    var options = prefixes.map(function (p) {
      return {label: p[0] + ":", type: "namespace", detail: p[1], apply: p[0] + ":"};
    }).concat(KEYWORDS.map(function (k) { return {label: k, type: "keyword"}; }));
    if (/^prefix$/i.test(text)) {
      options = Object.keys(P.prefixes).map(function (k) {
        return {label: "PREFIX " + k + ": <" + P.prefixes[k] + ">", type: "namespace", apply: "PREFIX " + k + ": <" + P.prefixes[k] + ">\n"};
      });
    }
    // Entity names (Japanese or English) complete to their IRI from two characters on.
    if ((text.length >= 2 || ctx.explicit) && labels) {
      var needle = text.toLowerCase();
      options = options.concat(labels.filter(function (o) { return o.label.toLowerCase().indexOf(needle) >= 0; })
        .slice(0, 200));
    }
    return {from: from, options: options};
  }

  // ------------------------------------------------------------------ requests
  // One request at a time: the page never makes the server parse two queries at once.
  var queue = Promise.resolve();
  function post(query, accept) {
    var go = function () {
      return fetch("sparql", {method: "POST", body: query, headers: {"Content-Type": "application/sparql-query",
        "Accept": accept}});
    };
    var p = queue.then(go, go);
    queue = p.then(function (r) { return r.clone().arrayBuffer(); }, function () { return null; });
    return p;
  }
  function sparql(query) {
    return post(query, "application/sparql-results+json").then(function (r) {
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.json();
    });
  }
  var editor = DxkgVendor.createEditor($("editor"), {
    doc: "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 10", complete: complete, onRun: run,
    hint: "SPARQL — Ctrl+Enter / Shift+Enter"
  });
  window.dxkgEditor = editor;

  function run() {
    var query = editor.get(), status = $("status"), out = $("results"), t0 = performance.now();
    clear(out);
    $("result-tools").hidden = true;
    status.textContent = "実行中… / running…";
    history.replaceState(null, "", permalink(query, true));
    return post(query, "application/sparql-results+json, text/turtle;q=0.9").then(function (resp) {
      var secs = ((performance.now() - t0) / 1000).toFixed(2);
      var type = resp.headers.get("Content-Type") || "";
      state.truncated = resp.headers.get("X-DXKG-Truncated") === "true";
      state.warning = resp.headers.get("Warning") || "";  // names the limit (rows or bytes) that cut the answer
      if (!resp.ok) {
        return resp.text().then(function (text) {
          status.textContent = "エラー / error " + resp.status;
          out.appendChild(el("pre", "error", text));
        });
      }
      if (type.indexOf("application/sparql-results+json") !== 0) {
        return resp.text().then(function (text) {
          status.textContent = secs + " s";
          out.appendChild(el("pre", null, text));
          remember(query, null, secs);
        });
      }
      return resp.json().then(function (data) {
        if ("boolean" in data) {
          status.textContent = secs + " s";
          out.appendChild(el("p", "boolean", String(data.boolean)));
          remember(query, null, secs);
          return;
        }
        state.raw = data;
        state.vars = data.head.vars;
        state.rows = data.results.bindings;
        state.sortBy = null; state.page = 0;
        status.textContent = state.rows.length + " 行 / rows · " + secs + " s" +
          (state.truncated ? " · 上限で打ち切り / truncated: " + (state.warning.replace(/^199 dxkg /, "") ||
            P.max_rows + " rows") : "");
        remember(query, state.rows.length, secs);
        $("result-tools").hidden = false;
        $("chart-toggle").disabled = !chartable();
        if (state.view === "chart" && !chartable()) { state.view = "table"; }
        draw();
      });
    }, function (err) { status.textContent = "リクエスト失敗 / request failed: " + err; });
  }

  // ------------------------------------------------------------------ table
  function termText(term) {
    if (!term) { return ""; }
    if (term.type === "uri") { return shorten(term.value); }
    if (term.type === "bnode") { return "_:" + term.value; }
    return term.value;
  }
  function isNumber(term) {
    return term && term.type === "literal" && term.datatype && /#(integer|decimal|double|float|int|long|short|nonNegativeInteger|positiveInteger)$/.test(term.datatype);
  }
  function cell(term) {
    var td = el("td");
    if (!term) { return td; }
    if (term.type === "uri") {
      var a = el("a", "iri", shorten(term.value));
      a.title = term.value;
      a.href = term.value.indexOf(P.id_ns) === 0 || term.value.indexOf(P.prefixes.dx) === 0
        ? permalink(describeQuery(term.value), true) : term.value;
      if (a.getAttribute("href").charAt(0) !== "#") { a.rel = "noopener noreferrer"; a.target = "_blank"; }
      td.appendChild(a);
    } else {
      td.appendChild(document.createTextNode(termText(term)));
      if (term["xml:lang"]) { td.appendChild(el("span", "lang", "@" + term["xml:lang"])); }
      if (term.datatype && !isNumber(term)) { td.title = shorten(term.datatype); }
      if (isNumber(term)) { td.className = "num"; }
    }
    return td;
  }
  function sorted() {
    if (state.sortBy === null) { return state.rows; }
    var v = state.sortBy, sign = state.sortDesc ? -1 : 1;
    return state.rows.slice().sort(function (a, b) {
      var x = a[v], y = b[v];
      if (!x || !y) { return (x ? -1 : 1) * (x === y ? 0 : 1); }
      if (isNumber(x) && isNumber(y)) { return sign * (Number(x.value) - Number(y.value)); }
      return sign * termText(x).localeCompare(termText(y), "ja");
    });
  }
  function draw() {
    var out = clear($("results"));
    if (state.view === "chart") { drawChart(out); return; }
    var rows = sorted(), pages = Math.max(1, Math.ceil(rows.length / state.size));
    state.page = Math.min(state.page, pages - 1);
    var table = el("table"), head = el("tr");
    state.vars.forEach(function (v) {
      var th = el("th", null, v + (state.sortBy === v ? (state.sortDesc ? " ▼" : " ▲") : ""));
      th.setAttribute("role", "button");
      th.tabIndex = 0;
      th.addEventListener("click", function () {
        if (state.sortBy === v) { state.sortDesc = !state.sortDesc; } else { state.sortBy = v; state.sortDesc = false; }
        state.page = 0;
        draw();
      });
      head.appendChild(th);
    });
    var thead = el("thead"); thead.appendChild(head); table.appendChild(thead);
    var body = el("tbody");
    rows.slice(state.page * state.size, (state.page + 1) * state.size).forEach(function (b) {
      var tr = el("tr");
      state.vars.forEach(function (v) { tr.appendChild(cell(b[v])); });
      body.appendChild(tr);
    });
    table.appendChild(body);
    out.appendChild(table);
    $("page-info").textContent = (state.page + 1) + " / " + pages;
    $("prev").disabled = state.page === 0;
    $("next").disabled = state.page >= pages - 1;
  }

  // ------------------------------------------------------------------ chart
  function labelColumn() {
    return state.vars.filter(function (v) {
      return state.rows.some(function (b) { return b[v] && !isNumber(b[v]); });
    })[0];
  }
  function numberColumns() {
    return state.vars.filter(function (v) {
      return state.rows.length && state.rows.every(function (b) { return !b[v] || isNumber(b[v]); }) &&
        state.rows.some(function (b) { return b[v]; });
    });
  }
  function chartable() { return !!labelColumn() && numberColumns().length > 0 && state.rows.length > 0; }
  var chart = null;
  function drawChart(out) {
    if (chart) { chart.destroy(); chart = null; }
    var rows = sorted().slice(0, 200), label = labelColumn();
    var canvas = el("canvas");
    canvas.id = "chart";
    var box = el("div", "chart-box");
    box.appendChild(canvas);
    out.appendChild(box);
    if (state.rows.length > 200) { out.appendChild(el("p", "muted", "最初の200行 / first 200 rows")); }
    var colours = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"];
    chart = new DxkgVendor.Chart(canvas, {
      type: $("chart-type").value,
      data: {labels: rows.map(function (b) { return termText(b[label]); }),
        datasets: numberColumns().map(function (v, i) {
          return {label: v, data: rows.map(function (b) { return b[v] ? Number(b[v].value) : null; }),
            backgroundColor: colours[i % colours.length], borderColor: colours[i % colours.length]};
        })},
      options: {animation: false, responsive: true, maintainAspectRatio: false,
        scales: {x: {ticks: {autoSkip: false, maxRotation: 60}}}}
    });
  }

  // ------------------------------------------------------------------ downloads
  function download(text, name, type) {
    var a = el("a");
    a.href = URL.createObjectURL(new Blob([text], {type: type}));
    a.download = name;
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); document.body.removeChild(a); }, 1000);
  }
  function csvValue(term) {
    var s = term ? term.value : "";
    return /[",\r\n]/.test(s) ? "\"" + s.replace(/"/g, "\"\"") + "\"" : s;
  }
  function tsvTerm(term) {  // SPARQL 1.1 TSV: terms in Turtle syntax
    if (!term) { return ""; }
    if (term.type === "uri") { return "<" + term.value + ">"; }
    if (term.type === "bnode") { return "_:" + term.value; }
    var s = "\"" + term.value.replace(/\\/g, "\\\\").replace(/"/g, "\\\"").replace(/\n/g, "\\n")
      .replace(/\r/g, "\\r").replace(/\t/g, "\\t") + "\"";
    if (term["xml:lang"]) { return s + "@" + term["xml:lang"]; }
    if (term.datatype && term.datatype !== "http://www.w3.org/2001/XMLSchema#string") { return s + "^^<" + term.datatype + ">"; }
    return s;
  }
  function exportAs(kind) {
    var rows = sorted();
    if (kind === "csv") {
      download([state.vars.join(",")].concat(rows.map(function (b) {
        return state.vars.map(function (v) { return csvValue(b[v]); }).join(",");
      })).join("\r\n") + "\r\n", "dxkg-results.csv", "text/csv;charset=utf-8");
    } else if (kind === "tsv") {
      download(["?" + state.vars.join("\t?")].concat(rows.map(function (b) {
        return state.vars.map(function (v) { return tsvTerm(b[v]); }).join("\t");
      })).join("\n") + "\n", "dxkg-results.tsv", "text/tab-separated-values;charset=utf-8");
    } else {
      download(JSON.stringify({head: state.raw.head, results: {bindings: rows}}, null, 1), "dxkg-results.json",
        "application/sparql-results+json");
    }
  }

  // ------------------------------------------------------------------ examples and history
  function load(query, runIt) {
    editor.set(query);
    if (runIt) { run(); } else { history.replaceState(null, "", permalink(query, false)); }
  }
  function drawExamples() {
    var needle = $("example-filter").value.trim().toLowerCase(), list = clear($("examples"));
    P.saved.filter(function (s) {
      return !needle || (s.name + " " + s.summary + " " + s.text).toLowerCase().indexOf(needle) >= 0;
    }).forEach(function (s) {
      var li = el("li"), b = el("button", "example", s.name);
      b.type = "button";
      b.title = s.text;
      b.addEventListener("click", function () { load(s.text, true); });
      li.appendChild(b);
      li.appendChild(el("div", "muted", s.summary));
      list.appendChild(li);
    });
  }
  function readHistory() {
    try { return JSON.parse(localStorage.getItem(HISTORY_KEY) || "[]"); } catch (e) { return []; }
  }
  function remember(query, rows, secs) {
    var items = readHistory().filter(function (h) { return h.q !== query; });
    items.unshift({q: query, rows: rows, secs: secs, at: new Date().toISOString().slice(0, 16).replace("T", " ")});
    try { localStorage.setItem(HISTORY_KEY, JSON.stringify(items.slice(0, HISTORY_MAX))); } catch (e) { /* full */ }
    drawHistory();
  }
  function drawHistory() {
    var list = clear($("history"));
    readHistory().forEach(function (h) {
      var li = el("li"), b = el("button", "example", h.q.replace(/^(#[^\n]*\n|PREFIX[^\n]*\n|\s)+/i, "").slice(0, 80));
      b.type = "button";
      b.title = h.q;
      b.addEventListener("click", function () { load(h.q, false); });
      li.appendChild(b);
      li.appendChild(el("div", "muted", h.at + (h.rows !== null ? " · " + h.rows + " rows" : "")));
      list.appendChild(li);
    });
  }

  // ------------------------------------------------------------------ wiring
  $("run").addEventListener("click", run);
  $("example-filter").addEventListener("input", drawExamples);
  $("prev").addEventListener("click", function () { state.page -= 1; draw(); });
  $("next").addEventListener("click", function () { state.page += 1; draw(); });
  var size = $("page-size");
  PAGE_SIZES.forEach(function (n) { var o = el("option", null, String(n)); o.value = String(n); size.appendChild(o); });
  size.value = String(state.size);
  size.addEventListener("change", function () { state.size = Number(size.value); state.page = 0; draw(); });
  $("table-toggle").addEventListener("click", function () { state.view = "table"; draw(); });
  $("chart-toggle").addEventListener("click", function () { state.view = "chart"; draw(); });
  $("chart-type").addEventListener("change", function () { if (state.view === "chart") { draw(); } });
  ["csv", "tsv", "json"].forEach(function (k) { $("dl-" + k).addEventListener("click", function () { exportAs(k); }); });
  $("permalink").addEventListener("click", function () {
    var url = location.href.split("#")[0] + permalink(editor.get(), true);
    history.replaceState(null, "", permalink(editor.get(), true));
    if (navigator.clipboard && window.isSecureContext) { navigator.clipboard.writeText(url); }
    $("status").textContent = "リンクをURLに入れました / the link is in the address bar";
  });
  $("clear-history").addEventListener("click", function () { localStorage.removeItem(HISTORY_KEY); drawHistory(); });
  function fromHash() {
    var m = location.hash.match(/[#&]query=([^&]*)/);
    if (!m) { return; }
    var query;
    try { query = decodeURIComponent(m[1]); } catch (e) { return; }
    editor.set(query);
    if (/[#&]run=1(&|$)/.test(location.hash)) { run(); }
  }
  window.addEventListener("hashchange", fromHash);
  drawExamples();
  drawHistory();
  fromHash();
  loadCompletionData();
  document.body.setAttribute("data-ready", "1");
})();
