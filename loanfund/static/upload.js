/* Uploads checked before they travel: type, size of each file, how many and how much at once — the server checks
   all of it again. Then sent with a progress bar; the answer replaces the page as a normal submission would. */
(function () {
  "use strict";
  var TYPES = /\.(pdf|jpe?g|png)$/i;
  function mb(bytes) { return Math.floor(bytes / 1048576); }

  function problems(form, files) {
    var maxBytes = Number(form.dataset.maxBytes), maxFiles = Number(form.dataset.maxFiles);
    var maxTotal = Number(form.dataset.maxTotal), found = [], total = 0;
    if (!files.length) return ["请选择要上传的文件"];
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

  document.querySelectorAll("form[data-upload]").forEach(function (form) {
    var input = form.querySelector("input[type=file]");
    input.addEventListener("change", function () { show(input, problems(form, input.files)); });
    form.addEventListener("submit", function (event) {
      var found = problems(form, input.files);
      show(input, found);
      if (found.length) {
        event.preventDefault();
        event.stopImmediatePropagation();
        input.focus();
        return;
      }
      if (!window.XMLHttpRequest || !window.FormData) return; // the plain submission still works
      event.preventDefault();
      var bar = form.querySelector("progress");
      var request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.upload.addEventListener("progress", function (e) {
        if (!e.lengthComputable) return;
        bar.classList.remove("d-none");
        bar.value = Math.round((e.loaded / e.total) * 100);
      });
      request.addEventListener("load", function () {
        // the page the server answered with — after a success, the application's page it redirected to (its
        // message was read by this very request, so the page is shown as received, under its own address)
        if (request.status < 400 && request.responseURL) window.history.replaceState(null, "", request.responseURL);
        document.open();
        document.write(request.responseText);
        document.close();
      });
      request.addEventListener("error", function () {
        show(input, ["网络中断，文件未上传，请重试"]);
        bar.classList.add("d-none");
      });
      request.send(new FormData(form));
    }, true);
  });
})();
