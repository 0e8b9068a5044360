/* Baton chat widget. Embed with:
 *   <script src="https://HOST/widget.js" data-baton-site="KEY" async></script>
 * Vanilla JS, no dependencies; UI lives in a shadow root so host-page CSS cannot reach it.
 * Every piece of bot or visitor text is set with textContent, never parsed as markup. */
(function () {
  "use strict";
  var script = document.currentScript || document.querySelector("script[data-baton-site]");
  if (!script || window.__batonWidget) return;
  var SITE = script.getAttribute("data-baton-site") || "";
  var BASE = new URL(script.src, location.href).origin;
  var TITLE = script.getAttribute("data-baton-title") || "Chat with us";
  var STORE_KEY = "baton:" + BASE + ":" + SITE;
  var BACKOFF_MS = [1000, 2000, 4000, 8000, 15000, 30000];

  var CSS = [
    ":host{all:initial}",
    "*{box-sizing:border-box;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}",
    ".bubble{position:fixed;right:20px;bottom:20px;width:60px;height:60px;border-radius:50%;border:0;",
    "background:#1d4ed8;color:#fff;cursor:pointer;box-shadow:0 6px 18px rgba(0,0,0,.25);z-index:2147483646;",
    "display:flex;align-items:center;justify-content:center}",
    ".bubble:focus-visible,button:focus-visible,textarea:focus-visible,input:focus-visible,a:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}",
    ".bubble svg{width:28px;height:28px}",
    ".panel{position:fixed;right:20px;bottom:92px;width:370px;max-width:calc(100vw - 40px);height:560px;",
    "max-height:calc(100vh - 112px);background:#fff;color:#111827;border-radius:14px;display:flex;",
    "flex-direction:column;box-shadow:0 12px 40px rgba(0,0,0,.25);z-index:2147483647;overflow:hidden;font-size:15px;line-height:1.45}",
    ".panel[hidden]{display:none}",
    ".head{background:#1d4ed8;color:#fff;padding:12px 14px;display:flex;align-items:center;gap:8px}",
    ".head h2{margin:0;font-size:16px;font-weight:600;flex:1}",
    ".close{background:transparent;border:0;color:#fff;font-size:22px;line-height:1;cursor:pointer;padding:4px 8px;border-radius:6px}",
    ".log{flex:1;overflow-y:auto;padding:14px;display:flex;flex-direction:column;gap:10px;background:#f8fafc}",
    ".msg{max-width:85%;padding:9px 12px;border-radius:12px;white-space:pre-wrap;word-wrap:break-word;overflow-wrap:anywhere}",
    ".bot{align-self:flex-start;background:#fff;border:1px solid #d1d5db;color:#111827}",
    ".me{align-self:flex-end;background:#1d4ed8;color:#fff}",
    ".me.pending{background:#3451c7}",
    ".me.failed{background:#991b1b}",
    ".meta{display:block;font-size:12px;margin-top:4px;color:inherit;opacity:.9}",
    ".cites{display:flex;flex-wrap:wrap;gap:6px;margin-top:6px;white-space:normal}",
    ".cites a,.cites span{font-size:12px;color:#1e40af;background:#eff6ff;border:1px solid #bfdbfe;border-radius:999px;padding:2px 8px;text-decoration:none}",
    ".cites a:hover{text-decoration:underline}",
    ".typing{align-self:flex-start;display:flex;gap:4px;padding:12px;background:#fff;border:1px solid #d1d5db;border-radius:12px}",
    ".typing[hidden]{display:none}",
    ".typing i{width:7px;height:7px;border-radius:50%;background:#4b5563;animation:b 1s infinite ease-in-out}",
    ".typing i:nth-child(2){animation-delay:.15s}.typing i:nth-child(3){animation-delay:.3s}",
    "@keyframes b{0%,80%,100%{opacity:.3}40%{opacity:1}}",
    ".status{padding:8px 12px;background:#fef2f2;color:#991b1b;border-top:1px solid #fecaca;font-size:13px;display:flex;gap:8px;align-items:center}",
    ".status[hidden]{display:none}",
    ".status span{flex:1}",
    ".status button{background:#991b1b;color:#fff;border:0;border-radius:6px;padding:4px 10px;cursor:pointer;font-size:13px}",
    ".email{display:flex;gap:6px;padding:8px 12px;border-top:1px solid #e5e7eb;background:#f0f9ff;align-items:center;flex-wrap:wrap}",
    ".email[hidden]{display:none}",
    ".email label{font-size:13px;color:#1f2937;width:100%}",
    ".email input{flex:1;min-width:0;padding:8px;border:1px solid #6b7280;border-radius:8px;font-size:15px}",
    ".compose{display:flex;gap:8px;padding:10px 12px;border-top:1px solid #e5e7eb;background:#fff}",
    ".compose textarea{flex:1;resize:none;padding:9px;border:1px solid #6b7280;border-radius:8px;font-size:15px;height:42px;max-height:120px;color:#111827}",
    ".btn{background:#1d4ed8;color:#fff;border:0;border-radius:8px;padding:0 14px;font-size:15px;cursor:pointer;min-height:42px}",
    ".btn:disabled{background:#6b7280;cursor:default}",
    ".sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}",
    "@media (max-width:480px){.panel{right:0;bottom:0;left:0;top:0;width:100%;max-width:100%;height:100%;max-height:100%;border-radius:0}",
    ".panel:not([hidden])~.bubble{display:none}}",
  ].join("");

  // ---- storage: survives reloads and page navigation; a memory fallback if blocked ----
  var memory = {};
  function load() {
    try {
      var raw = window.localStorage.getItem(STORE_KEY);
      return raw ? JSON.parse(raw) : {};
    } catch (e) {
      return memory;
    }
  }
  function save(state) {
    memory = state;
    try {
      window.localStorage.setItem(STORE_KEY, JSON.stringify(state));
    } catch (e) {
      /* storage full or blocked: the memory copy still holds it for this page */
    }
  }
  function update(fn) {
    var s = load();
    fn(s);
    save(s);
    return s;
  }

  // ---- DOM helpers: text only, never parsed as markup ----
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    if (attrs) for (var k in attrs) if (Object.prototype.hasOwnProperty.call(attrs, k)) node.setAttribute(k, attrs[k]);
    if (text != null) node.textContent = text;
    return node;
  }
  function icon() {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    var attrs = { viewBox: "0 0 24 24", fill: "none", stroke: "currentColor", "stroke-width": "2", "aria-hidden": "true", focusable: "false" };
    for (var k in attrs) svg.setAttribute(k, attrs[k]);
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", "M21 12a8 8 0 0 1-11.6 7.1L4 20l1-4.6A8 8 0 1 1 21 12z");
    svg.appendChild(path);
    return svg;
  }

  var host = el("div", { id: "baton-widget" });
  var root = host.attachShadow({ mode: "open" });
  var style = el("style", null, CSS);
  var panel = el("div", { class: "panel", role: "dialog", "aria-label": TITLE, id: "baton-panel", hidden: "" });
  var head = el("div", { class: "head" });
  var h2 = el("h2", { id: "baton-title" }, TITLE);
  var closeBtn = el("button", { class: "close", type: "button", "aria-label": "Close chat" }, "\u00d7");
  head.appendChild(h2);
  head.appendChild(closeBtn);
  var log = el("div", { class: "log", role: "log", "aria-live": "polite", "aria-label": "Conversation" });
  var typing = el("div", { class: "typing", hidden: "" });
  typing.appendChild(el("span", { class: "sr" }, "The assistant is typing"));
  for (var d = 0; d < 3; d++) typing.appendChild(el("i", { "aria-hidden": "true" }));
  var status = el("div", { class: "status", role: "status", hidden: "" });
  var statusText = el("span");
  var retryBtn = el("button", { type: "button" }, "Retry now");
  status.appendChild(statusText);
  status.appendChild(retryBtn);
  var emailForm = el("form", { class: "email", hidden: "", novalidate: "" });
  var emailLabel = el("label", { for: "baton-email" }, "Your work e-mail, so the team can follow up");
  var emailInput = el("input", { id: "baton-email", type: "email", autocomplete: "email", placeholder: "you@company.com" });
  var emailBtn = el("button", { class: "btn", type: "submit" }, "Share e-mail");
  emailForm.appendChild(emailLabel);
  emailForm.appendChild(emailInput);
  emailForm.appendChild(emailBtn);
  var form = el("form", { class: "compose" });
  var inputLabel = el("label", { for: "baton-input", class: "sr" }, "Your message");
  var input = el("textarea", { id: "baton-input", rows: "1", placeholder: "Type your question\u2026", maxlength: "4000" });
  var sendBtn = el("button", { class: "btn", type: "submit" }, "Send");
  form.appendChild(inputLabel);
  form.appendChild(input);
  form.appendChild(sendBtn);
  panel.appendChild(head);
  panel.appendChild(log);
  panel.appendChild(status);
  panel.appendChild(emailForm);
  panel.appendChild(form);
  log.appendChild(typing);
  var bubble = el("button", {
    class: "bubble", type: "button", "aria-label": "Open chat: " + TITLE,
    "aria-expanded": "false", "aria-controls": "baton-panel",
  });
  bubble.appendChild(icon());
  root.appendChild(style);
  root.appendChild(panel);
  root.appendChild(bubble);

  // ---- rendering ----
  function scrollDown() {
    log.scrollTop = log.scrollHeight;
  }
  function addMessage(role, text) {
    var node = el("div", { class: "msg " + (role === "visitor" ? "me" : "bot") });
    var body = el("span", { class: "text" }, text);
    node.appendChild(body);
    log.insertBefore(node, typing);
    scrollDown();
    return node;
  }
  function setText(node, text) {
    node.querySelector(".text").textContent = text;
    scrollDown();
  }
  function citationHref(c) {
    var src = String(c.source || "");
    if (/^https?:\/\//i.test(src)) return src;
    return c.document_id ? BASE + "/kb/" + encodeURIComponent(c.document_id) : null;
  }
  function addCitations(node, citations) {
    var old = node.querySelector(".cites");
    if (old) old.remove();
    if (!citations || !citations.length) return;
    var box = el("div", { class: "cites", "aria-label": "Sources" });
    citations.forEach(function (c) {
      var label = c.title || c.source || "source";
      var href = citationHref(c);
      var link = href ? el("a", { href: href, target: "_blank", rel: "noopener noreferrer" }, label) : el("span", null, label);
      box.appendChild(link);
    });
    node.appendChild(box);
    scrollDown();
  }
  function setMeta(node, text) {
    var meta = node.querySelector(".meta");
    if (!meta) {
      meta = el("span", { class: "meta" });
      node.appendChild(meta);
    }
    meta.textContent = text;
  }
  function showTyping(on) {
    if (on) typing.removeAttribute("hidden");
    else typing.setAttribute("hidden", "");
    scrollDown();
  }
  function showStatus(text, canRetry) {
    statusText.textContent = text;
    if (canRetry) retryBtn.removeAttribute("hidden");
    else retryBtn.setAttribute("hidden", "");
    status.removeAttribute("hidden");
  }
  function clearStatus() {
    status.setAttribute("hidden", "");
    statusText.textContent = "";
  }
  function maybeAskEmail(text, ask) {
    var s = load();
    if (!s.email && (ask === "contact" || /e-?mail/i.test(text || ""))) emailForm.removeAttribute("hidden");
  }

  // ---- HTTP ----
  function url(path) {
    return BASE + path + (path.indexOf("?") < 0 ? "?" : "&") + "site=" + encodeURIComponent(SITE);
  }
  function HttpError(status, detail) {
    this.status = status;
    this.message = detail;
  }
  function readError(res) {
    return res.text().then(function (body) {
      var detail = "";
      try {
        var j = JSON.parse(body);
        detail = typeof j.detail === "string" ? j.detail : j.error || "";
      } catch (e) {
        detail = "";
      }
      throw new HttpError(res.status, detail || "the chat service answered " + res.status);
    });
  }
  function metadata() {
    var utm = {};
    new URLSearchParams(location.search).forEach(function (v, k) {
      if (k.indexOf("utm_") === 0) utm[k] = v;
    });
    return { url: location.href, title: document.title, referrer: document.referrer || null, utm: utm };
  }

  var conv = null; // {id, token}
  var starting = null;

  function checkSite() {
    return fetch(BASE + "/widget/config?site=" + encodeURIComponent(SITE), { credentials: "omit" })
      .then(function (res) { return res.ok ? res.json() : readError(res); })
      .then(function (cfg) {
        if (!cfg.allowed) throw new HttpError(403, cfg.detail || "This chat is not enabled on this website.");
        return cfg;
      });
  }
  function createConversation() {
    return fetch(url("/v1/conversations"), {
      method: "POST", credentials: "omit",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ metadata: metadata(), site_key: SITE }),
    }).then(function (res) { return res.ok ? res.json() : readError(res); })
      .then(function (body) {
        update(function (s) { s.id = body.id; s.token = body.visitor_token; s.greeting = body.greeting; s.email = false; });
        conv = { id: body.id, token: body.visitor_token };
        if (body.greeting) addMessage("assistant", body.greeting);
      });
  }
  function transcriptOf(body) {
    return body.messages || body.transcript || [];
  }
  function resume(s) {
    return fetch(url("/v1/conversations/" + encodeURIComponent(s.id)), {
      credentials: "omit", headers: { Authorization: "Bearer " + s.token, Accept: "application/json" },
    }).then(function (res) {
      if (res.status === 401 || res.status === 403 || res.status === 404) {
        update(function (st) { delete st.id; delete st.token; });
        return createConversation();
      }
      if (!res.ok) return readError(res);
      return res.json().then(function (body) {
        conv = { id: s.id, token: s.token };
        var msgs = transcriptOf(body);
        if (!msgs.length && s.greeting) addMessage("assistant", s.greeting);
        var pendingTexts = (s.pending || []).map(function (p) { return p.text; });
        msgs.forEach(function (m) {
          var role = m.role === "visitor" || m.role === "user" ? "visitor" : "assistant";
          var node = addMessage(role, m.text);
          if (role === "assistant") addCitations(node, m.citations);
          // A pending message the server already stored must not be sent twice.
          var i = role === "visitor" ? pendingTexts.indexOf(m.text) : -1;
          if (i >= 0) pendingTexts.splice(i, 1);
        });
        var last = msgs[msgs.length - 1];
        if (last && last.role !== "visitor") maybeAskEmail(last.text);
        update(function (st) {
          st.pending = (st.pending || []).filter(function (p) { return pendingTexts.indexOf(p.text) >= 0; });
        });
      });
    });
  }
  function ensureConversation() {
    if (conv) return Promise.resolve(conv);
    if (!starting) {
      starting = checkSite().then(function () {
        var s = load();
        return s.id && s.token ? resume(s) : createConversation();
      }).then(function () {
        clearStatus();
        return conv;
      }, function (err) {
        starting = null;
        throw err;
      });
    }
    return starting;
  }

  // Parse a text/event-stream body: events separated by a blank line, `event:`/`data:` fields.
  function readStream(res, onEvent) {
    var reader = res.body.getReader();
    var decoder = new TextDecoder();
    var buf = "";
    function dispatch(block) {
      var name = "message";
      var data = [];
      block.split(/\r?\n/).forEach(function (line) {
        if (line.indexOf("event:") === 0) name = line.slice(6).trim();
        else if (line.indexOf("data:") === 0) data.push(line.slice(5).replace(/^ /, ""));
      });
      if (!data.length && name === "message") return;
      var payload = {};
      try { payload = data.length ? JSON.parse(data.join("\n")) : {}; } catch (e) { payload = { text: data.join("\n") }; }
      onEvent(name, payload);
    }
    function pump() {
      return reader.read().then(function (r) {
        if (r.done) {
          if (buf.trim()) dispatch(buf);
          return;
        }
        buf += decoder.decode(r.value, { stream: true });
        var parts = buf.split(/\r?\n\r?\n/);
        buf = parts.pop();
        parts.forEach(dispatch);
        return pump();
      });
    }
    return pump();
  }

  // ---- the outbox: every visitor message stays in storage until the server answers it ----
  var sending = false;
  var attempt = 0;
  var retryTimer = null;
  var nodes = {}; // pending id -> visitor bubble

  function enqueue(text) {
    var id = Date.now().toString(36) + Math.random().toString(36).slice(2, 8);
    update(function (s) { (s.pending = s.pending || []).push({ id: id, text: text }); });
    nodes[id] = addMessage("visitor", text);
    nodes[id].classList.add("pending");
    flush();
  }
  function renderPending() {
    (load().pending || []).forEach(function (p) {
      if (!nodes[p.id]) {
        nodes[p.id] = addMessage("visitor", p.text);
        nodes[p.id].classList.add("pending");
      }
    });
  }
  function acknowledge(id) {
    update(function (s) { s.pending = (s.pending || []).filter(function (p) { return p.id !== id; }); });
    if (nodes[id]) nodes[id].classList.remove("pending", "failed");
    var meta = nodes[id] && nodes[id].querySelector(".meta");
    if (meta) meta.remove();
    delete nodes[id];
  }
  function markDelivered(id) {
    update(function (s) {
      (s.pending || []).forEach(function (p) { if (p.id === id) p.delivered = true; });
    });
  }
  // The server stored a message whose reply broke off: if the reply exists now, show it
  // instead of sending the message a second time.
  function reconcile(item) {
    return fetch(url("/v1/conversations/" + encodeURIComponent(conv.id)), {
      credentials: "omit", headers: { Authorization: "Bearer " + conv.token, Accept: "application/json" },
    }).then(function (res) { return res.ok ? res.json() : readError(res); })
      .then(function (body) {
        var msgs = transcriptOf(body);
        var last = msgs[msgs.length - 1];
        var prev = msgs[msgs.length - 2];
        if (last && last.role !== "visitor" && prev && prev.role === "visitor" && prev.text === item.text) {
          addCitations(addMessage("assistant", last.text), last.citations);
          acknowledge(item.id);
          maybeAskEmail(last.text, null);
          return true;
        }
        return false;
      });
  }
  function scheduleRetry(err) {
    var wait = BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)];
    attempt += 1;
    var why = err && err.status ? err.message : "Connection lost.";
    showStatus(why + " Retrying in " + Math.round(wait / 1000) + " s\u2026", true);
    clearTimeout(retryTimer);
    retryTimer = setTimeout(flush, wait);
  }
  function flush() {
    if (sending) return;
    var next = (load().pending || [])[0];
    if (!next) return;
    sending = true;
    clearTimeout(retryTimer);
    ensureConversation()
      .then(function () { return next.delivered ? reconcile(next) : false; })
      .then(function (answered) { return answered ? null : send(next); })
      .then(function () {
        sending = false;
        attempt = 0;
        clearStatus();
        flush();
      }, function (err) {
        sending = false;
        showTyping(false);
        if (err && err.status === 403 && !conv) {
          block(err.message);
          return;
        }
        if (err && err.status >= 400 && err.status < 500 && err.status !== 408 && err.status !== 429) {
          // The server refused this message (too long, empty): give it back to the visitor.
          update(function (s) { s.pending = (s.pending || []).filter(function (p) { return p.id !== next.id; }); });
          if (nodes[next.id]) {
            nodes[next.id].classList.remove("pending");
            nodes[next.id].classList.add("failed");
            setMeta(nodes[next.id], "Not sent: " + err.message);
            delete nodes[next.id];
          }
          if (!input.value) input.value = next.text;
          showStatus(err.message, false);
          flush();
          return;
        }
        if (nodes[next.id]) setMeta(nodes[next.id], "Waiting to send\u2026");
        scheduleRetry(err);
      });
  }
  function send(item) {
    showTyping(true);
    var botNode = null;
    var text = "";
    var done = false;
    var ask = null;
    return fetch(url("/v1/conversations/" + encodeURIComponent(conv.id) + "/messages"), {
      method: "POST", credentials: "omit",
      headers: { "Content-Type": "application/json", Accept: "text/event-stream", Authorization: "Bearer " + conv.token },
      body: JSON.stringify({ text: item.text }),
    }).then(function (res) {
      if (res.status === 401 || res.status === 404) {
        // The conversation is gone (e.g. the server was reset): start afresh, keep the message.
        conv = null;
        starting = null;
        update(function (s) { delete s.id; delete s.token; });
        throw new HttpError(503, "The conversation expired; starting a new one.");
      }
      if (!res.ok) return readError(res);
      markDelivered(item.id);
      var type = res.headers.get("content-type") || "";
      if (type.indexOf("text/event-stream") < 0) {
        return res.json().then(function (body) {
          showTyping(false);
          botNode = addMessage("assistant", body.reply.text);
          addCitations(botNode, body.reply.citations);
          text = body.reply.text;
          ask = body.reply.ask || null;
          done = true;
        });
      }
      return readStream(res, function (name, data) {
        if (name === "token") {
          if (!botNode) {
            showTyping(false);
            botNode = addMessage("assistant", "");
            botNode.setAttribute("aria-busy", "true");
          }
          text += data.text || "";
          setText(botNode, text);
        } else if (name === "reset") {
          text = "";
          if (botNode) setText(botNode, "");
        } else if (name === "citations") {
          if (!botNode) botNode = addMessage("assistant", text);
          addCitations(botNode, data.citations);
        } else if (name === "error") {
          throw new HttpError(503, data.detail || "The assistant could not answer.");
        } else if (name === "done") {
          done = true;
          ask = data.ask || null;
        }
      });
    }).then(function () {
      if (!done) throw new HttpError(0, "The answer was cut off.");
      showTyping(false);
      if (botNode) botNode.removeAttribute("aria-busy");
      acknowledge(item.id);
      maybeAskEmail(text, ask);
    }, function (err) {
      // A reply that started but broke off is void; a retry asks again, so drop the partial.
      if (botNode) botNode.remove();
      throw err;
    });
  }

  // ---- open, close, keyboard ----
  // The site key may not be used here: retrying cannot help, so stop taking messages.
  function block(message) {
    showStatus(message, false);
    input.disabled = true;
    sendBtn.disabled = true;
    input.placeholder = "Chat unavailable on this website";
  }
  // `restoring`: reopened by itself after a reload or navigation, so focus stays where it is.
  function openPanel(restoring) {
    panel.removeAttribute("hidden");
    bubble.setAttribute("aria-expanded", "true");
    update(function (s) { s.open = true; });
    if (restoring !== true) input.focus();
    ensureConversation().then(function () {
      renderPending();
      flush();
    }, function (err) {
      if (err && err.status === 403) block(err.message);
      else {
        showStatus("Can't reach the chat service.", true);
        clearTimeout(retryTimer);
        retryTimer = setTimeout(function () { if (!conv) openPanel(true); }, BACKOFF_MS[Math.min(attempt++, 5)]);
      }
    });
  }
  function closePanel() {
    panel.setAttribute("hidden", "");
    bubble.setAttribute("aria-expanded", "false");
    update(function (s) { s.open = false; });
    bubble.focus();
  }
  bubble.addEventListener("click", function () {
    if (panel.hasAttribute("hidden")) openPanel(false);
    else closePanel();
  });
  closeBtn.addEventListener("click", closePanel);
  panel.addEventListener("keydown", function (e) {
    if (e.key === "Escape") {
      e.preventDefault();
      closePanel();
    }
  });
  retryBtn.addEventListener("click", function () {
    attempt = 0;
    if (!conv) openPanel(false);
    else flush();
  });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = "";
    update(function (s) { s.draft = ""; });
    enqueue(text);
    input.focus();
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit", { cancelable: true }));
    }
  });
  input.addEventListener("input", function () {
    var v = input.value;
    update(function (s) { s.draft = v; });
  });
  emailForm.addEventListener("submit", function (e) {
    e.preventDefault();
    var v = emailInput.value.trim();
    if (!v || !emailInput.checkValidity() || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v)) {
      emailInput.setAttribute("aria-invalid", "true");
      showStatus("Please enter a valid e-mail address, like name@company.com.", false);
      emailInput.focus();
      return;
    }
    emailInput.removeAttribute("aria-invalid");
    clearStatus();
    emailForm.setAttribute("hidden", "");
    update(function (s) { s.email = true; });
    enqueue("My e-mail is " + v);
    input.focus();
  });
  window.addEventListener("online", function () { attempt = 0; flush(); });

  function mount() {
    document.body.appendChild(host);
    var s = load();
    if (s.draft) input.value = s.draft;
    if (s.open || (s.pending && s.pending.length)) openPanel(true);
  }
  window.__batonWidget = { open: openPanel, close: closePanel, root: root };
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
