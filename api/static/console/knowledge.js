/* Marketing page: the knowledge base (list, upload with progress, edit, delete, re-index, search). */
(function () {
  "use strict";
  var C = window.Console;
  var el = C.el;

  function postable(type) {
    if (/html/.test(type || "")) return "text/html";
    if (/plain/.test(type || "")) return "text/plain";
    return "text/markdown";
  }

  /* Upload one file with XMLHttpRequest, the only browser API that reports upload progress. */
  function upload(file, bar, status) {
    return new Promise(function (resolve) {
      var xhr = new XMLHttpRequest();
      var form = new FormData();
      form.append("file", file, file.name);
      xhr.open("POST", "/v1/knowledge/documents");
      xhr.withCredentials = true;
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.onprogress = function (e) {
        if (e.lengthComputable) bar.value = Math.round((e.loaded / e.total) * 100);
      };
      xhr.onload = function () {
        var body = null;
        try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
        bar.value = 100;
        if (xhr.status >= 200 && xhr.status < 300) {
          status.textContent = (xhr.status === 201 ? "Indexed" : "Unchanged") + ": " + body.title + " (v" + body.version + ", " + body.chunks + " passages)";
          resolve(true);
        } else {
          status.textContent = "Failed: " + C.describe(body, xhr.status);
          status.className = "field-error";
          resolve(false);
        }
      };
      xhr.onerror = function () {
        status.textContent = "Failed: the upload was interrupted; try again.";
        status.className = "field-error";
        resolve(false);
      };
      xhr.send(form);
    });
  }

  function uploadCard(onDone) {
    var input = el("input", { type: "file", id: "kb-files", multiple: true, accept: ".md,.mdx,.markdown,.html,.htm,.txt,.pdf" });
    var list = el("ul", { "aria-label": "Upload progress", id: "upload-progress" });
    var form = el("form", { class: "card", "aria-label": "Upload documents" }, [
      el("h2", null, "Upload files"),
      el("div", { class: "row" }, [el("div", null, [el("label", { for: "kb-files" }, "Markdown, MDX, HTML, text or PDF"), input]),
        el("div", null, el("button", { type: "submit", class: "primary" }, "Upload"))]),
      list,
    ]);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var files = Array.prototype.slice.call(input.files);
      if (!files.length) { C.clear(list).appendChild(el("li", { class: "field-error" }, "Choose at least one file.")); return; }
      C.clear(list);
      var chain = Promise.resolve();
      files.forEach(function (f) {
        var bar = el("progress", { max: "100", value: "0", "aria-label": "Upload of " + f.name });
        var status = el("span", { class: "muted" }, " waiting…");
        list.appendChild(el("li", null, [f.name + " ", bar, " ", status]));
        chain = chain.then(function () { status.textContent = " uploading…"; return upload(f, bar, status); });
      });
      chain.then(function () { input.value = ""; onDone(); });
    });
    return form;
  }

  function editorCard(onDone) {
    var source = el("input", { id: "doc-source", required: true, placeholder: "e.g. https://example.com/pricing or notes/faq.md", class: "grow" });
    var title = el("input", { id: "doc-title", required: true });
    var type = el("select", { id: "doc-type" }, ["text/markdown", "text/html", "text/plain"].map(function (t) { return el("option", { value: t }, t); }));
    var tags = el("input", { id: "doc-tags", placeholder: "pricing, faq" });
    var text = el("textarea", { id: "doc-text", class: "doc", required: true });
    var out = el("div");
    var heading = el("h2", null, "Add a document");
    var form = el("form", { class: "card", id: "doc-editor", "aria-label": "Document editor" }, [heading,
      el("div", { class: "row" }, [el("div", { class: "grow" }, [el("label", { for: "doc-source" }, "Source (path or URL)"), source]),
        el("div", null, [el("label", { for: "doc-title" }, "Title"), title]),
        el("div", null, [el("label", { for: "doc-type" }, "Format"), type]),
        el("div", null, [el("label", { for: "doc-tags" }, "Tags"), tags])]),
      el("div", null, [el("label", { for: "doc-text" }, "Document text"), text]),
      el("p", null, el("button", { type: "submit", class: "primary" }, "Save and index")), out]);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var body = { source: source.value.trim(), title: title.value.trim(), content_type: type.value, text: text.value,
        tags: tags.value.split(",").map(function (t) { return t.trim(); }).filter(Boolean) };
      C.clear(out);
      C.api("POST", "/v1/knowledge/documents", body).then(function (r) {
        out.appendChild(C.alert("Saved " + r.title + " (version " + r.version + ", " + r.chunks + " passages).", "ok"));
        onDone();
      }, function (err) { C.showError(out, err); });
    });
    form.load = function (doc) {
      heading.textContent = "Edit: " + doc.title;
      source.value = doc.source; title.value = doc.title; type.value = postable(doc.content_type);
      tags.value = (doc.tags || []).join(", "); text.value = doc.text || "";
      C.clear(out);
      if (doc.text == null) out.appendChild(C.alert("This document has no editable text (e.g. a PDF); upload a new file instead."));
      form.scrollIntoView();
      text.focus();
    };
    return form;
  }

  function searchCard() {
    var q = el("input", { id: "kb-q", type: "search", class: "grow", placeholder: "Ask as a buyer would…" });
    var results = el("ol", { id: "search-results", "aria-label": "Search results" });
    var out = el("div");
    var form = el("form", { class: "card", role: "search", "aria-label": "Try retrieval" }, [el("h2", null, "Try retrieval"),
      el("div", { class: "row" }, [el("div", { class: "grow" }, [el("label", { for: "kb-q" }, "Question"), q]),
        el("div", null, el("button", { type: "submit", class: "primary" }, "Search"))]), out, results]);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      C.clear(results); C.clear(out);
      if (!q.value.trim()) return;
      C.api("GET", "/v1/knowledge/search" + C.qs({ q: q.value.trim(), k: 5 })).then(function (r) {
        if (!r.results.length) out.appendChild(C.alert("Nothing found: this may be a content gap.", "ok"));
        r.results.forEach(function (hit) {
          results.appendChild(el("li", { class: "hit" }, [el("strong", null, hit.title), " ",
            el("span", { class: "muted" }, hit.source + " · score " + Number(hit.score).toFixed(3)),
            el("p", { class: "snippet" }, hit.text.length > 400 ? hit.text.slice(0, 400) + "…" : hit.text)]));
        });
      }, function (err) { C.showError(out, err); });
    });
    return form;
  }

  function render(view) {
    view.appendChild(el("h1", null, "Knowledge base"));
    var errors = view.appendChild(el("div"));
    var table = el("table", { "aria-label": "Documents" }, el("thead", null, el("tr", null,
      ["Title", "Source", "Version", "Passages", "Updated", ""].map(function (h) { return el("th", { scope: "col" }, h); }))));
    var body = table.appendChild(el("tbody", { id: "doc-rows" }));
    var more = el("button", { type: "button", hidden: true }, "Load more");
    var reindex = el("button", { type: "button" }, "Re-index everything");
    var editor = editorCard(refresh);
    reindex.onclick = function () {
      reindex.disabled = true;
      reindex.textContent = "Re-indexing…";
      C.clear(errors);
      C.api("POST", "/v1/knowledge/reindex").then(function (r) {
        errors.appendChild(C.alert("Re-indexed " + (r && (r.chunks != null ? r.chunks + " passages" : r.documents + " documents") || "the knowledge base") + ".", "ok"));
      }, function (err) {
        C.showError(errors, err.status === 404 || err.status === 405
          ? "Re-indexing is not available over HTTP on this server; run `baton reindex`." : err);
      }).then(function () { reindex.disabled = false; reindex.textContent = "Re-index everything"; });
    };

    function row(d) {
      var edit = el("button", { type: "button" }, "Edit");
      edit.onclick = function () {
        C.api("GET", "/v1/knowledge/documents/" + encodeURIComponent(d.id)).then(editor.load, function (err) { C.showError(errors, err); });
      };
      var del = el("button", { type: "button", class: "danger" }, "Delete");
      del.onclick = function () {
        if (!window.confirm("Delete “" + d.title + "” and all its passages?")) return;
        C.api("DELETE", "/v1/knowledge/documents/" + encodeURIComponent(d.id)).then(refresh, function (err) { C.showError(errors, err); });
      };
      return el("tr", { "data-source": d.source }, [el("td", null, d.title), el("td", null, d.source), el("td", null, String(d.version)),
        el("td", null, String(d.chunks)), el("td", null, C.when(d.updated_at)), el("td", { class: "actions" }, [edit, del])]);
    }
    function load(cursor) {
      more.hidden = true;
      C.api("GET", "/v1/knowledge/documents" + C.qs({ cursor: cursor, limit: 100 })).then(function (page) {
        if (!page.items.length && !cursor) body.appendChild(el("tr", null, el("td", { colspan: "6" }, "No documents yet: upload some below.")));
        page.items.forEach(function (d) { body.appendChild(row(d)); });
        if (page.next_cursor) { more.hidden = false; more.onclick = function () { load(page.next_cursor); }; }
      }, function (err) { C.showError(errors, err); });
    }
    function refresh() { C.clear(body); load(null); }

    view.appendChild(searchCard());
    view.appendChild(el("section", { class: "card" }, [el("div", { class: "row" }, [el("h2", { class: "grow" }, "Documents"), reindex]), table, more]));
    view.appendChild(uploadCard(refresh));
    view.appendChild(editor);
    load(null);
  }

  C.route(/^#\/knowledge$/, render);
})();
