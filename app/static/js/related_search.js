/* A search filter on a related record (采购单位, 代理机构, 项目, 标段), or a
 * form's choice of one (登记质疑's 标段): Select2 asking the view's
 * /related/<column>?q= for the first matches as one types
 * (app/views/common/related_search.py), instead of a <select> of every
 * record in scope. FAB's filter script (ab_filters.js) adds a filter row by
 * cloning the field's HTML, so new boxes are set up as they appear.
 */
(function ($) {
  "use strict";
  if (!$ || !$.fn || !$.fn.select2) {
    return;
  }

  function setUp(select) {
    if (select.dataset.searching) {
      return;
    }
    select.dataset.searching = "1";
    $(select).select2({
      theme: "bootstrap",
      width: "100%",
      allowClear: true,
      placeholder: select.dataset.placeholder || "",
      minimumInputLength: 1,
      ajax: {
        url: select.dataset.url,
        dataType: "json",
        delay: 250,
        data: function (params) { return {q: params.term || ""}; }
      }
    });
    // Select2 4.0.13 under jQuery 3.6 opens without focusing its search box:
    // the cursor goes there, so one can type at once.
    $(select).on("select2:open", function () {
      var box = document.querySelector(".select2-container--open .select2-search__field");
      if (box) {
        box.focus();
      }
    });
  }

  $(function () {
    var editing = document.getElementById("model_form");
    if (editing) {
      editing.querySelectorAll("select.related-search").forEach(setUp);
    }
    var form = document.getElementById("filter_form");
    if (!form) {
      return;
    }
    var setUpAll = function () {
      form.querySelectorAll("select.related-search").forEach(setUp);
    };
    setUpAll();
    new MutationObserver(setUpAll).observe(form, {childList: true, subtree: true});
  });
})(window.jQuery);
