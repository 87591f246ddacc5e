// Live fee estimate: asks POST /api/v1/quotes as the amount and days change. The page works without this file.
(function () {
  "use strict";
  var form = document.getElementById("quote-form");
  if (!form) { return; }
  var result = document.getElementById("quote-result");
  var timer = null;

  function setText(key, text) {
    var el = result.querySelector('[data-quote="' + key + '"]');
    if (el) { el.textContent = text; }
  }

  function formatYuan(plain) {
    var parts = plain.split(".");
    return parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ",") + "." + parts[1];
  }

  function showErrors(errors) {
    ["amount", "days"].forEach(function (name) {
      var input = form.elements[name];
      var box = input.parentNode.querySelector(".invalid-feedback");
      var messages = (errors && errors[name]) || [];
      input.classList.toggle("is-invalid", messages.length > 0);
      if (messages.length && !box) {
        box = document.createElement("div");
        box.className = "invalid-feedback";
        input.insertAdjacentElement("afterend", box);
      }
      if (box) { box.textContent = messages.join("；"); }
    });
  }

  function update() {
    var amount = form.elements.amount.value.trim();
    var days = form.elements.days.value.trim();
    if (!amount || !days) { return; }
    var dayNumber = /^\d+$/.test(days) ? parseInt(days, 10) : days;
    fetch(form.dataset.api || "/api/v1/quotes", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      // the fund whose policy prices it: the page's, when the platform has several (else left out)
      body: JSON.stringify({
        amount: amount, days: dayNumber, fund: form.elements.fund ? form.elements.fund.value : undefined
      })
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (answer) {
      if (!answer.ok) { showErrors(answer.body.errors); result.hidden = true; return; }
      var q = answer.body;
      showErrors({});
      setText("fee", formatYuan(q.fee));
      setText("fee_capitals", "");
      setText("total", formatYuan(q.total));
      setText("band", "第 " + q.band + " 档");
      setText("rates", q.rates_permille[0] + "‰ / " + q.rates_permille[1] + "‰");
      setText("group", q.needs_group_approval ? "需要" : "不需要");
      setText("policy", q.policy);
      result.hidden = false;
    }).catch(function () { /* the submit button still works */ });
  }

  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(update, 250);
  });
})();
