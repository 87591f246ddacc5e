// Live fee estimate on the application form: asks POST /api/v1/quotes as amount and days change.
(function () {
  "use strict";
  var form = document.getElementById("apply-form");
  var box = document.getElementById("estimate");
  if (!form || !box) { return; }
  var timer = null;
  function set(key, text) { box.querySelector('[data-estimate="' + key + '"]').textContent = text; }
  function yuan(plain) {
    var p = plain.split(".");
    return p[0].replace(/\B(?=(\d{3})+(?!\d))/g, ",") + "." + p[1];
  }
  function update() {
    var amount = form.elements.requested_amount.value.trim();
    var days = form.elements.requested_days.value.trim();
    if (!amount || !/^\d+$/.test(days)) { return; }
    fetch("/api/v1/quotes", {
      method: "POST", headers: {"Content-Type": "application/json"},
      body: JSON.stringify({amount: amount, days: parseInt(days, 10),
                            fund: form.elements.fund ? form.elements.fund.value || undefined : undefined})
    }).then(function (r) { return r.json().then(function (b) { return {ok: r.ok, body: b}; }); })
      .then(function (a) {
        if (!a.ok) {
          var errors = a.body.errors || {};
          set("fee", "—");
          set("detail", [].concat(errors.amount || [], errors.days || []).join("；"));
          set("group", "");
          return;
        }
        var q = a.body;
        set("fee", yuan(q.fee));
        set("detail", "第 " + q.band + " 档，日综合费率 " + q.rates_permille[0] + "‰ / " + q.rates_permille[1] +
            "‰；本息合计 " + yuan(q.total) + " 元（" + q.policy + "）");
        set("group", q.needs_group_approval ? "金额超过领导小组审批标准，需报领导小组审批" : "");
      }).catch(function () {});
  }
  form.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(update, 250); });
  update();
})();
