/* Submit once, visibly: a form that posts says 提交中… and ignores a second click until the page answers. The server
   refuses a second submission anyway (the form's one-time token); this only spares the user the doubt. */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || (form.method || "").toLowerCase() !== "post") return;
    if (form.dataset.submitting === "1") { event.preventDefault(); return; }
    form.dataset.submitting = "1";
    var button = event.submitter || form.querySelector("button[type=submit]");
    if (button) {
      button.dataset.label = button.textContent;
      button.textContent = "提交中…";
      button.setAttribute("aria-disabled", "true");
      button.classList.add("disabled");
    }
  });
  // Back to a page from the browser's cache: its forms may be used again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-submitting]").forEach(function (form) {
      delete form.dataset.submitting;
      form.querySelectorAll("button[data-label]").forEach(function (button) {
        button.textContent = button.dataset.label;
        button.removeAttribute("aria-disabled");
        button.classList.remove("disabled");
      });
    });
  });
})();

/* 打印: a button marked data-print prints the page. On a page with data-print="open-details" every folded section is
   opened for the print, whether it starts from the button or from the browser's own print (Ctrl+P): the print layout
   carries every table. */
(function () {
  "use strict";
  function openAll() {
    if (!document.querySelector('[data-print="open-details"]')) return;
    document.querySelectorAll("details").forEach(function (d) { d.open = true; });
  }
  window.addEventListener("beforeprint", openAll);
  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element ? event.target.closest("[data-print]") : null;
    if (!button) return;
    openAll();
    window.print();
  });
})();
