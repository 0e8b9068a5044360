/* Marketing page: the qualification policy (scoring matrix) as JSON, validated by the server. */
(function () {
  "use strict";
  var C = window.Console;
  var el = C.el;

  function render(view) {
    view.appendChild(el("h1", null, "Qualification settings"));
    view.appendChild(el("p", { class: "muted" }, "The scoring matrix that decides when a visitor becomes an MQL or SQL. Changes are validated and versioned; the agent uses the new version from the next message on."));
    var meta = view.appendChild(el("p", { id: "policy-version", class: "muted" }));
    var out = view.appendChild(el("div"));
    var editor = el("textarea", { id: "policy", class: "code", spellcheck: "false", "aria-describedby": "policy-error" });
    var error = el("p", { id: "policy-error", class: "field-error", role: "alert" });
    var save = el("button", { type: "submit", class: "primary" }, "Save new version");
    var reset = el("button", { type: "button" }, "Discard changes");
    var form = el("form", { class: "card", "aria-label": "Qualification policy" }, [
      el("label", { for: "policy" }, "Policy (JSON)"), editor, error, el("p", { class: "actions" }, [save, reset])]);
    view.appendChild(form);
    var current = null;

    function show(data) {
      current = data;
      meta.textContent = "Version " + data.version + (data.updated_at ? " · saved " + C.when(data.updated_at) : "") + (data.author ? " by " + data.author : "");
      editor.value = JSON.stringify(data.policy, null, 2);
      editor.removeAttribute("aria-invalid");
      error.textContent = "";
    }
    reset.onclick = function () { if (current) show(current); };
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      C.clear(out);
      error.textContent = "";
      var policy;
      try { policy = JSON.parse(editor.value); } catch (err) {
        editor.setAttribute("aria-invalid", "true");
        error.textContent = "Not valid JSON: " + err.message;
        editor.focus();
        return;
      }
      save.disabled = true;
      C.api("PUT", "/v1/settings/qualification", policy).then(function (data) {
        show(data);
        out.appendChild(C.alert("Saved as version " + data.version + ".", "ok"));
      }, function (err) {
        editor.setAttribute("aria-invalid", "true");
        error.textContent = err.message;
        editor.focus();
      }).then(function () { save.disabled = false; });
    });
    C.api("GET", "/v1/settings/qualification").then(show, function (err) { C.showError(out, err); });
  }

  C.route(/^#\/settings$/, render);
})();
