/* Console start-up: learn who is signed in, draw the role-aware navigation, route. */
(function () {
  "use strict";
  var C = window.Console;
  C.api("GET", "/console/me").then(function (me) {
    C.me = me;
    document.getElementById("who").textContent = me.name + " (" + me.role + ")";
    var nav = document.getElementById("nav");
    C.sections.filter(C.allowed).forEach(function (s) {
      nav.appendChild(C.el("a", { href: s.hash }, s.label));
    });
    window.addEventListener("hashchange", C.navigate);
    C.navigate();
  }, function (err) {
    C.showError(document.getElementById("view"), err);
  });
})();
