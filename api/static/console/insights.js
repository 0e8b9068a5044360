/* Insights: the funnel and rejection reasons drawn as SVG charts; the content-gap list. */
(function () {
  "use strict";
  var C = window.Console;
  var el = C.el;
  var NS = "http://www.w3.org/2000/svg";
  var FUNNEL = [["conversations", "Conversations"], ["mql", "MQL"], ["sql", "SQL"], ["accepted", "Accepted"], ["won", "Won"]];

  function svg(tag, attrs, text) {
    var node = document.createElementNS(NS, tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text != null) node.textContent = text;
    return node;
  }

  /* Horizontal bars: rows of [label, value, note]; a title and a description for screen readers. */
  C.barChart = function (id, title, rows, barClass) {
    var labelW = 150, barW = 420, rowH = 34, width = labelW + barW + 190;
    var height = rows.length * rowH + 10;
    var max = Math.max.apply(null, rows.map(function (r) { return r[1]; }).concat([1]));
    var chart = svg("svg", { class: "chart", id: id, role: "img", viewBox: "0 0 " + width + " " + height, width: "100%",
      "aria-labelledby": id + "-t " + id + "-d", style: "max-width:" + width + "px" });
    chart.appendChild(svg("title", { id: id + "-t" }, title));
    chart.appendChild(svg("desc", { id: id + "-d" }, rows.map(function (r) { return r[0] + ": " + r[1]; }).join(", ")));
    rows.forEach(function (r, i) {
      var y = i * rowH + 5;
      var w = Math.max(2, Math.round((r[1] / max) * barW));
      chart.appendChild(svg("text", { x: labelW - 8, y: y + 19, "text-anchor": "end" }, r[0]));
      chart.appendChild(svg("rect", { class: barClass || "bar", x: labelW, y: y, width: w, height: rowH - 10, rx: 3, "data-label": r[0], "data-value": r[1] }));
      chart.appendChild(svg("text", { x: labelW + w + 6, y: y + 19 }, String(r[1]) + (r[2] ? "  " + r[2] : "")));
    });
    return chart;
  };

  function totalsOf(data) {
    var t = (data && (data.totals || data.total)) || data || {};
    if (t.handoffs_accepted != null && t.accepted == null) t.accepted = t.handoffs_accepted;
    return t;
  }
  function countOf(v) {
    return typeof v === "number" ? v : v && typeof v.count === "number" ? v.count : 0;
  }

  function renderInsights(view) {
    view.appendChild(el("h1", null, "Insights"));
    var funnelCard = view.appendChild(el("section", { class: "card", "aria-label": "Funnel" }, el("h2", null, "Funnel")));
    var rejCard = view.appendChild(el("section", { class: "card", "aria-label": "Rejection reasons" }, el("h2", null, "Why sales rejected leads")));
    C.api("GET", "/v1/insights/funnel").then(function (data) {
      var t = totalsOf(data);
      var prev = null;
      var rows = FUNNEL.map(function (f) {
        var v = countOf(t[f[0]]);
        var note = prev ? "(" + (prev ? Math.round((v / prev) * 100) : 0) + "% of previous)" : "";
        prev = v || null;
        return [f[1], v, note];
      });
      funnelCard.appendChild(C.barChart("funnel-chart", "Funnel: conversations to won deals", rows));
      var buckets = (data && data.buckets) || [];
      if (buckets.length > 1) {
        funnelCard.appendChild(el("h3", null, "Conversations and SQLs per " + (data.bucket || "day")));
        funnelCard.appendChild(C.barChart("funnel-days", "Conversations per " + (data.bucket || "day"),
          buckets.slice(-14).map(function (b) { return [String(b.start), b.conversations, b.sql ? b.sql + " sql" : ""]; })));
      }
    }, function (err) { funnelCard.appendChild(C.alert(err.message)); });
    C.api("GET", "/v1/insights/rejections").then(function (data) {
      var items = (data && (data.reasons || data.items)) || (Array.isArray(data) ? data : []);
      if (!items.length) { rejCard.appendChild(el("p", { class: "muted" }, "No rejections yet.")); return; }
      rejCard.appendChild(C.barChart("rejections-chart", "Rejection reasons by count",
        items.map(function (r) { return [String(r.reason).replace(/_/g, " "), countOf(r.count != null ? r.count : r)]; }), "bar2"));
      var notes = [];
      items.forEach(function (r) {
        (r.notes || []).forEach(function (n) { if (n) notes.push([r.reason, typeof n === "string" ? n : n.note || JSON.stringify(n)]); });
      });
      if (notes.length) {
        rejCard.appendChild(el("h3", null, "Notes from sales"));
        rejCard.appendChild(el("ul", null, notes.slice(0, 30).map(function (n) { return el("li", null, [el("strong", null, n[0].replace(/_/g, " ") + ": "), n[1]]); })));
      }
    }, function (err) { rejCard.appendChild(C.alert(err.message)); });
  }

  function renderGaps(view) {
    view.appendChild(el("h1", null, "Content gaps"));
    view.appendChild(el("p", { class: "muted" }, "Questions visitors asked that the knowledge base could not answer, grouped by similarity. Write content for the biggest groups first."));
    var box = view.appendChild(el("div"));
    C.api("GET", "/v1/insights/content-gaps").then(function (data) {
      var groups = (data && (data.groups || data.items || data.gaps)) || (Array.isArray(data) ? data : []);
      if (!groups.length) { box.appendChild(el("p", null, "No content gaps recorded yet.")); return; }
      var table = el("table", { "aria-label": "Content gaps", id: "gaps" }, el("thead", null, el("tr", null,
        ["Question", "Times asked", "Examples"].map(function (h) { return el("th", { scope: "col" }, h); }))));
      var body = table.appendChild(el("tbody"));
      groups.forEach(function (g) {
        var examples = (g.examples || []).map(function (x) { return typeof x === "string" ? x : x.question || x.text || ""; });
        body.appendChild(el("tr", null, [el("td", null, g.question || g.representative || g.label || examples[0] || ""),
          el("td", null, String(g.count != null ? g.count : examples.length)),
          el("td", null, el("ul", null, examples.slice(0, 5).map(function (x) { return el("li", null, x); })))]));
      });
      box.appendChild(table);
    }, function (err) { C.showError(box, err); });
  }

  C.route(/^#\/insights$/, renderInsights);
  C.route(/^#\/gaps$/, renderGaps);
})();
