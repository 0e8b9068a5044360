/* Console core: DOM helpers (text only), the JSON API client, the router and navigation. */
(function () {
  "use strict";
  var C = (window.Console = { routes: [], me: null });

  /* Build an element; children may be nodes or strings (always inserted as text). */
  C.el = function (tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v == null || v === false) return;
      if (k.slice(0, 2) === "on") node.addEventListener(k.slice(2), v);
      else if (k === "text") node.textContent = v;
      else node.setAttribute(k, v === true ? "" : v);
    });
    [].concat(children == null ? [] : children).forEach(function (c) {
      if (c == null || c === false) return;
      node.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
    });
    return node;
  };
  C.clear = function (node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  };

  function ApiError(status, message, body) {
    this.status = status;
    this.message = message;
    this.body = body;
  }
  ApiError.prototype.toString = function () { return this.message; };
  C.ApiError = ApiError;

  /* Turn an error body into one readable sentence. */
  C.describe = function (body, status) {
    if (body && typeof body.detail === "string") return body.detail;
    if (body && Array.isArray(body.detail)) {
      return body.detail.map(function (e) { return (e.loc || []).join(".") + ": " + e.msg; }).join("; ");
    }
    if (body && body.error) return String(body.error);
    return "The server answered " + status + ".";
  };

  /* Call the JSON API same-origin; the HttpOnly cookie carries the staff key. */
  C.api = function (method, path, body) {
    var opts = { method: method, credentials: "same-origin", headers: { Accept: "application/json" } };
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    return fetch(path, opts).then(function (res) {
      if (res.status === 401) {
        location.href = "/console/login";
        throw new ApiError(401, "Your session has ended; please sign in again.");
      }
      if (res.status === 204) return null;
      return res.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = { detail: text }; }
        if (!res.ok) throw new ApiError(res.status, C.describe(data, res.status), data);
        return data;
      });
    }, function () {
      throw new ApiError(0, "Cannot reach the server. Check your connection and try again.");
    });
  };

  C.qs = function (params) {
    var parts = [];
    Object.keys(params).forEach(function (k) {
      if (params[k] != null && params[k] !== "") parts.push(encodeURIComponent(k) + "=" + encodeURIComponent(params[k]));
    });
    return parts.length ? "?" + parts.join("&") : "";
  };
  C.when = function (iso) {
    if (!iso) return "";
    var d = new Date(iso);
    return isNaN(d) ? String(iso) : d.toLocaleString();
  };
  C.alert = function (message, kind) {
    return C.el("div", { class: kind || "alert", role: kind === "ok" ? "status" : "alert" }, message);
  };
  C.showError = function (box, err) {
    C.clear(box).appendChild(C.alert(err && err.message ? err.message : String(err)));
  };

  /* Sections: which roles see them; admin sees everything. */
  C.sections = [
    { hash: "#/handoffs", label: "Handoffs", roles: ["sales"] },
    { hash: "#/knowledge", label: "Knowledge", roles: ["marketer"] },
    { hash: "#/gaps", label: "Content gaps", roles: ["marketer"] },
    { hash: "#/settings", label: "Qualification", roles: ["marketer"] },
    { hash: "#/insights", label: "Insights", roles: ["sales", "marketer"] },
  ];
  C.allowed = function (section) {
    return C.me && (C.me.role === "admin" || section.roles.indexOf(C.me.role) >= 0);
  };

  /* Register a page: pattern is a RegExp over location.hash; render(view, match) draws it. */
  C.route = function (pattern, render) {
    C.routes.push({ pattern: pattern, render: render });
  };

  C.navigate = function () {
    var hash = location.hash || "";
    var visible = C.sections.filter(C.allowed);
    if (!hash || hash === "#" || hash === "#/") {
      if (visible.length) location.replace(visible[0].hash);
      return;
    }
    var nav = document.getElementById("nav");
    Array.prototype.forEach.call(nav.querySelectorAll("a"), function (a) {
      if (hash.indexOf(a.getAttribute("href")) === 0) a.setAttribute("aria-current", "page");
      else a.removeAttribute("aria-current");
    });
    var view = C.clear(document.getElementById("view"));
    for (var i = 0; i < C.routes.length; i++) {
      var m = hash.match(C.routes[i].pattern);
      if (m) {
        C.routes[i].render(view, m);
        view.focus({ preventScroll: true });
        return;
      }
    }
    view.appendChild(C.el("h1", null, "Page not found"));
  };
})();
