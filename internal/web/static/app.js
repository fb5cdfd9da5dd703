// mamori's own script: small conveniences only. Every page works without it.
"use strict";
document.addEventListener("click", function (ev) {
  // Buttons that change something irreversible ask first.
  var el = ev.target.closest("[data-confirm]");
  if (el && !window.confirm(el.getAttribute("data-confirm"))) {
    ev.preventDefault();
    ev.stopPropagation();
  }
}, true);
