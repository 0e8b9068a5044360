/* Sales pages: the handoff inbox and one handoff with accept / reject / won / lost. */
(function () {
  "use strict";
  var C = window.Console;
  var el = C.el;
  var STATUSES = ["pending", "accepted", "rejected", "won", "lost"];
  var REASONS = ["qualified", "requested"];
  var REJECT_REASONS = [
    ["not_a_fit", "Not a fit"], ["no_budget", "No budget"], ["bad_timing", "Bad timing"],
    ["no_authority", "No authority"], ["bad_contact", "Bad contact details"],
    ["duplicate", "Duplicate"], ["competitor", "Competitor"], ["other", "Other"],
  ];

  function select(id, label, values, current) {
    var s = el("select", { id: id, name: id }, [el("option", { value: "" }, "All")]);
    values.forEach(function (v) {
      s.appendChild(el("option", { value: v, selected: v === current }, v));
    });
    return el("div", null, [el("label", { for: id }, label), s]);
  }
  function filtersFromHash() {
    var q = (location.hash.split("?")[1] || "");
    var out = {};
    new URLSearchParams(q).forEach(function (v, k) { out[k] = v; });
    return out;
  }
  function contactLine(h) {
    var c = h.contact || (h.qualification || {}).contact || {};
    return [c.name, c.company, c.email].filter(Boolean).join(" · ") || "(no contact yet)";
  }

  function renderInbox(view) {
    var f = filtersFromHash();
    view.appendChild(el("h1", null, "Handoff inbox"));
    var form = el("form", { class: "card row", "aria-label": "Filter handoffs" }, [
      select("status", "Status", STATUSES, f.status),
      select("reason", "Reason", REASONS, f.reason),
      el("div", null, el("button", { type: "submit", class: "primary" }, "Filter")),
    ]);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      location.hash = "#/handoffs" + C.qs({ status: form.status.value, reason: form.reason.value });
    });
    view.appendChild(form);
    var errors = view.appendChild(el("div"));
    var table = el("table", { "aria-label": "Handoffs, newest first" }, [
      el("thead", null, el("tr", null, ["Received", "Lead", "Reason", "Stage", "Status", "Assigned", "Summary"].map(function (h) {
        return el("th", { scope: "col" }, h);
      }))),
    ]);
    var body = table.appendChild(el("tbody"));
    view.appendChild(table);
    var more = el("button", { type: "button", hidden: true }, "Load more");
    view.appendChild(el("p", null, more));

    function load(cursor) {
      more.hidden = true;
      C.api("GET", "/v1/handoffs" + C.qs({ status: f.status, reason: f.reason, cursor: cursor })).then(function (page) {
        if (!page.items.length && !cursor) {
          body.appendChild(el("tr", null, el("td", { colspan: "7" }, "No handoffs match these filters yet.")));
        }
        page.items.forEach(function (h) {
          var link = el("a", { href: "#/handoffs/" + encodeURIComponent(h.id) }, contactLine(h));
          var summary = (h.summary || "").slice(0, 140) + ((h.summary || "").length > 140 ? "…" : "");
          var row = el("tr", { class: "clickable", "data-id": h.id }, [
            el("td", null, C.when(h.created_at)), el("td", null, link), el("td", null, h.reason),
            el("td", null, h.stage || (h.qualification || {}).stage || ""),
            el("td", null, el("span", { class: "badge " + h.status }, h.status)),
            el("td", null, h.assigned_to || ""), el("td", null, summary),
          ]);
          row.addEventListener("click", function (e) { if (e.target.tagName !== "A") location.hash = link.getAttribute("href"); });
          body.appendChild(row);
        });
        if (page.next_cursor) {
          more.hidden = false;
          more.onclick = function () { load(page.next_cursor); };
        }
      }, function (err) { C.showError(errors, err); });
    }
    load(null);
  }

  function bantBox(title, field, lines) {
    var box = el("div", null, [el("h3", null, title)]);
    box.appendChild(el("p", null, [el("span", { class: "badge" }, (field && field.status) || "unknown"), " ", lines.filter(Boolean).join(" · ")]));
    if (field && field.evidence) box.appendChild(el("blockquote", null, "“" + field.evidence + "”"));
    return box;
  }
  function money(b) {
    if (!b || b.amount == null) return "";
    var fmt = function (n) { return Number(n).toLocaleString(); };
    var s = (b.currency ? b.currency + " " : "") + fmt(b.amount) + (b.amount_max != null ? "–" + fmt(b.amount_max) : "");
    return s + (b.period ? " (" + b.period.replace("_", " ") + ")" : "");
  }

  function renderHandoff(view, m) {
    var id = decodeURIComponent(m[1]);
    view.appendChild(el("p", null, el("a", { href: "#/handoffs" }, "← Back to the inbox")));
    var errors = view.appendChild(el("div"));
    C.api("GET", "/v1/handoffs/" + encodeURIComponent(id)).then(function (h) {
      draw(view, h, errors);
    }, function (err) { C.showError(errors, err); });
  }

  function draw(view, h, errors) {
    var q = h.qualification || {};
    var c = h.contact || q.contact || {};
    view.appendChild(el("h1", null, ["Handoff: ", contactLine(h), " ", el("span", { class: "badge " + h.status, id: "handoff-status" }, h.status)]));
    view.appendChild(el("p", { class: "muted" }, "Received " + C.when(h.created_at) + " · reason " + h.reason +
      " · stage " + (q.stage || h.stage || "?") + (q.score != null ? " · score " + q.score : "") +
      (h.assigned_to ? " · assigned to " + h.assigned_to : "")));

    var actions = el("section", { class: "card", "aria-label": "Decision" }, [el("h2", null, "Decision")]);
    var rej = h.rejection, outcome = h.outcome;
    if (rej && rej.reason) actions.appendChild(el("p", null, "Rejected as " + String(rej.reason).replace(/_/g, " ") + (rej.note ? ": " + rej.note : "") + "."));
    if (outcome && outcome.result) actions.appendChild(el("p", null, "Outcome: " + outcome.result + (outcome.amount != null ? " (" + Number(outcome.amount).toLocaleString() + ")" : "") + "."));
    view.appendChild(actions);
    drawActions(actions, h, errors);

    view.appendChild(el("section", { class: "card" }, [el("h2", null, "Summary"), el("p", { class: "snippet" }, h.summary || "(none)"),
      h.recommended_next_step ? el("p", null, [el("strong", null, "Next step: "), h.recommended_next_step]) : null]));
    var b = q.budget || {}, a = q.authority || {}, n = q.need || {}, t = q.timeline || {};
    view.appendChild(el("section", { class: "card" }, [el("h2", null, "BANT"), el("div", { class: "bant" }, [
      bantBox("Budget", b, [money(b)]),
      bantBox("Authority", a, [a.role]),
      bantBox("Need", n, [n.summary]),
      bantBox("Timeline", t, [t.within_days != null ? "within " + t.within_days + " days" : ""]),
    ])]));
    var page = h.page || {};
    view.appendChild(el("div", { class: "grid2" }, [
      el("section", { class: "card" }, [el("h2", null, "Contact"), el("dl", null, [
        el("dt", null, "Name"), el("dd", null, c.name || "—"), el("dt", null, "Company"), el("dd", null, c.company || "—"),
        el("dt", null, "E-mail"), el("dd", null, c.email ? el("a", { href: "mailto:" + c.email }, c.email) : "—"),
        el("dt", null, "Phone"), el("dd", null, c.phone || "—"),
        el("dt", null, "Page"), el("dd", null, page.url || "—"),
        el("dt", null, "UTM"), el("dd", null, page.utm && Object.keys(page.utm).length ? JSON.stringify(page.utm) : "—"),
      ])]),
      el("section", { class: "card" }, [el("h2", null, "Cited sources"), (h.cited_sources || []).length
        ? el("ul", null, h.cited_sources.map(function (s) {
          var href = /^https?:\/\//i.test(s.source) ? s.source : "/kb/" + encodeURIComponent(s.document_id);
          return el("li", null, [el("a", { href: href, target: "_blank", rel: "noopener" }, s.title || s.source), " ", el("span", { class: "muted" }, s.source)]);
        }))
        : el("p", { class: "muted" }, "No sources were cited.")]),
    ]));
    var tr = el("div", { class: "transcript", role: "log", "aria-label": "Transcript" });
    (h.transcript || []).forEach(function (msg) {
      tr.appendChild(el("div", { class: "m " + (msg.role === "visitor" ? "visitor" : "assistant") }, [
        el("div", { class: "muted" }, (msg.role === "visitor" ? "Visitor" : "Assistant") + " · " + C.when(msg.at)), msg.text]));
    });
    view.appendChild(el("section", { class: "card" }, [el("h2", null, "Transcript"), tr]));
  }

  function drawActions(box, h, errors) {
    var out = box.appendChild(el("div"));
    function act(path, body, okText) {
      C.clear(out);
      return C.api("POST", "/v1/handoffs/" + encodeURIComponent(h.id) + path, body).then(function (updated) {
        var st = document.getElementById("handoff-status");
        if (updated && updated.status && st) { st.textContent = updated.status; st.className = "badge " + updated.status; }
        C.clear(out).appendChild(C.alert(okText, "ok"));
        if (updated) { h = updated; C.clear(controls); drawControls(); }
      }, function (err) { C.showError(out, err); });
    }
    var controls = box.appendChild(el("div"));
    function drawControls() {
      var acceptBtn = el("button", { type: "button", class: "good" }, "Accept");
      acceptBtn.onclick = function () { act("/accept", {}, "Accepted. It is yours."); };
      var reason = el("select", { id: "reject-reason", required: true, "aria-describedby": "reject-help" },
        [el("option", { value: "" }, "Choose a reason…")].concat(REJECT_REASONS.map(function (r) { return el("option", { value: r[0] }, r[1]); })));
      var note = el("textarea", { id: "reject-note", rows: "2", cols: "40" });
      var help = el("p", { id: "reject-help", class: "field-error", "aria-live": "polite" });
      var rejectForm = el("form", { class: "actions", "aria-label": "Reject", novalidate: true }, [
        el("div", null, [el("label", { for: "reject-reason" }, "Reason (required)"), reason]),
        el("div", null, [el("label", { for: "reject-note" }, "Note"), note]),
        el("button", { type: "submit", class: "danger" }, "Reject"),
      ]);
      rejectForm.addEventListener("submit", function (e) {
        e.preventDefault();
        if (!reason.value) { help.textContent = "Choose why you reject this lead."; reason.focus(); return; }
        help.textContent = "";
        act("/reject", { reason: reason.value, note: note.value }, "Rejected; marketing will see the reason.");
      });
      var amount = el("input", { id: "won-amount", type: "number", min: "0", step: "any", inputmode: "decimal" });
      var wonBtn = el("button", { type: "button", class: "good" }, "Won");
      wonBtn.onclick = function () { act("/outcome", { result: "won", amount: amount.value === "" ? null : Number(amount.value) }, "Marked as won."); };
      var lostBtn = el("button", { type: "button" }, "Lost");
      lostBtn.onclick = function () { act("/outcome", { result: "lost", amount: null }, "Marked as lost."); };
      controls.appendChild(el("div", { class: "actions" }, [acceptBtn]));
      controls.appendChild(el("h3", null, "Reject"));
      controls.appendChild(rejectForm);
      controls.appendChild(help);
      controls.appendChild(el("h3", null, "Outcome"));
      controls.appendChild(el("div", { class: "actions" }, [
        el("div", null, [el("label", { for: "won-amount" }, "Deal amount"), amount]), wonBtn, lostBtn]));
    }
    drawControls();
  }

  C.route(/^#\/handoffs\/([^?]+)$/, renderHandoff);
  C.route(/^#\/handoffs(\?.*)?$/, renderInbox);
})();
