/* Files checked before they travel: type, size of each, how many and how much at once — the server checks all of it
   again. A form that carries files (data-max-bytes) is then sent with a progress bar, and the answer replaces the
   page as a normal submission would. Without script the form posts as usual. */
(function () {
  "use strict";
  var TYPES = /\.(pdf|jpe?g|png)$/i;
  function mb(bytes) { return Math.floor(bytes / 1048576); }

  function problems(form, files) {
    var maxBytes = Number(form.dataset.maxBytes), maxFiles = Number(form.dataset.maxFiles);
    var maxTotal = Number(form.dataset.maxTotal), found = [], total = 0;
    if (files.length > maxFiles) found.push("一次最多上传 " + maxFiles + " 个文件");
    Array.prototype.forEach.call(files, function (file) {
      total += file.size;
      var prefix = files.length > 1 ? file.name + "：" : "";
      if (!TYPES.test(file.name)) found.push(prefix + "只接受 PDF、JPG、PNG 格式的文件");
      else if (file.size === 0) found.push(prefix + "文件为空");
      else if (file.size > maxBytes) found.push(prefix + "文件不能超过 " + mb(maxBytes) + " MB");
    });
    if (total > maxTotal) found.push("一次上传的文件合计不能超过 " + mb(maxTotal) + " MB，请分次上传");
    return found;
  }

  function show(input, messages) {
    var box = document.getElementById(input.id + "-feedback");
    box.textContent = "";
    messages.forEach(function (text) {
      var line = document.createElement("div");
      line.className = "invalid-feedback";
      line.textContent = text;
      box.appendChild(line);
    });
    input.classList.toggle("is-invalid", messages.length > 0);
    if (messages.length) {
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", box.id);
    } else {
      input.removeAttribute("aria-invalid");
    }
  }

  document.querySelectorAll("form[data-max-bytes]").forEach(function (form) {
    var inputs = Array.prototype.slice.call(form.querySelectorAll("input[type=file]"));
    inputs.forEach(function (input) {
      input.addEventListener("change", function () { show(input, problems(form, input.files)); });
    });
    form.addEventListener("submit", function (event) {
      if (form.dataset.sending === "1") { // a second click while the files travel: nothing twice
        event.preventDefault();
        event.stopImmediatePropagation();
        return;
      }
      var total = 0, wrong = null;
      inputs.forEach(function (input) {
        var found = problems(form, input.files);
        if (form.hasAttribute("data-upload") && !input.files.length) found = ["请选择要上传的文件"];
        Array.prototype.forEach.call(input.files, function (file) { total += file.size; });
        show(input, found);
        if (found.length && !wrong) wrong = input;
      });
      if (!wrong && total > Number(form.dataset.maxTotal)) {
        wrong = inputs[0];
        show(wrong, ["一次提交的文件合计不能超过 " + mb(Number(form.dataset.maxTotal)) + " MB，请提交后在申请页分次上传"]);
      }
      if (wrong) {
        event.preventDefault();
        event.stopImmediatePropagation();
        wrong.focus();
        return;
      }
      if (!window.XMLHttpRequest || !window.FormData || !total) return; // no files: the plain submission
      event.preventDefault();
      var bar = form.querySelector("progress");
      var request = new XMLHttpRequest();
      request.open("POST", form.action || window.location.href);
      request.upload.addEventListener("progress", function (e) {
        if (!e.lengthComputable || !bar) return;
        bar.classList.remove("d-none");
        bar.value = Math.round((e.loaded / e.total) * 100);
      });
      request.addEventListener("load", function () {
        // the page the server answered with — after a success, the page it redirected to (its message was read by
        // this very request, so the page is shown as received, under its own address)
        if (request.status < 400 && request.responseURL) window.history.replaceState(null, "", request.responseURL);
        document.open();
        document.write(request.responseText);
        document.close();
      });
      request.addEventListener("error", function () {
        delete form.dataset.sending;
        show(inputs[0], ["网络中断，文件未上传，请重试"]);
        if (bar) bar.classList.add("d-none");
      });
      form.dataset.sending = "1";
      request.send(new FormData(form));
    }, true);
  });
})();
