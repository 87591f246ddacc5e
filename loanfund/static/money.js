/* Amounts as one types them: under each amount box, the amount in 万元 and in 大写, written by the server (the one
   place that writes money); on leaving the box, the amount with its separators. Without script, nothing changes. */
(function () {
  "use strict";
  var url = document.documentElement.dataset.moneyWords;
  if (!url || !window.fetch) return;
  document.querySelectorAll("input[data-money]").forEach(function (input) {
    var echo = document.createElement("div");
    echo.className = "form-text lf-money-echo";
    echo.id = input.id + "-words";
    echo.setAttribute("aria-live", "polite");
    input.insertAdjacentElement("afterend", echo);
    var timer = null, asked = 0;
    function ask(format) {
      var value = input.value.trim(), ticket = ++asked;
      if (!value) { echo.textContent = ""; return; }
      fetch(url + "?amount=" + encodeURIComponent(value), { headers: { Accept: "application/json" } })
        .then(function (answer) { return answer.json(); })
        .then(function (words) {
          if (ticket !== asked) return; // a later keystroke has asked again
          if (words.error) { echo.textContent = ""; return; }
          echo.textContent = "合 " + words.wan + " 万元 · " + words.capitals;
          if (format && input.value.trim() === value) input.value = words.yuan;
        })
        .catch(function () { echo.textContent = ""; });
    }
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(ask, 250); });
    input.addEventListener("blur", function () { clearTimeout(timer); ask(true); });
    if (input.value.trim()) ask(false);
  });
})();
