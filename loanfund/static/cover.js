/* The bank's commitment card: what the amount being typed lets the fund lend (R5) and what the enterprise would still
   have to find — asked of the server as one types (the one place that says it), shown in the card's note, amber when
   the enterprise would be left short. Without script the note shows the figures for the amount first offered. */
(function () {
  "use strict";
  if (!window.fetch) return;
  document.querySelectorAll("[data-cover-url]").forEach(function (note) {
    var input = document.getElementById(note.getAttribute("data-cover-for"));
    if (!input) return;
    var url = note.getAttribute("data-cover-url"), timer = null, asked = 0;
    function ask() {
      var value = input.value.trim(), ticket = ++asked;
      if (!value) return;
      fetch(url + "?amount=" + encodeURIComponent(value), { headers: { Accept: "application/json" } })
        .then(function (answer) { return answer.json(); })
        .then(function (cover) {
          if (ticket !== asked || cover.error) return; // a later keystroke asked again, or not an amount yet
          note.textContent = cover.text;
          note.classList.toggle("alert-warning", cover.short);
          note.classList.toggle("alert-info", !cover.short);
        })
        .catch(function () { /* the note keeps what it said */ });
    }
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(ask, 250); });
    input.addEventListener("change", ask);
  });
})();
