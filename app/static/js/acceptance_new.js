/* 【项目进场受理】→ new: "是否选择计划" shows either 【选择计划】 or 【填写项目信息】. */
(function () {
  "use strict";

  var yes = document.getElementById("from-plan-yes");
  var no = document.getElementById("from-plan-no");
  if (!yes || !no) {
    return;
  }
  function sync() {
    document.getElementById("btn-choose-plan").style.display = yes.checked ? "" : "none";
    document.getElementById("btn-without-plan").style.display = yes.checked ? "none" : "";
  }
  yes.addEventListener("change", sync);
  no.addEventListener("change", sync);
  sync();
})();
