/* Select2's own texts in Chinese. FAB ships Select2 4.0.13 without its
 * language files, so its built-in English showed through on every form
 * (the clear button's tooltip "Remove all items", "No results found",
 * "Searching…"). Loaded by site_layout.html only when the page is in zh,
 * after select2.min.js and before FAB's ab.js applies Select2 on DOM ready,
 * so every Select2 on the page (forms and the search form) takes these.
 */
(function ($) {
  "use strict";
  if (!$ || !$.fn || !$.fn.select2 || !$.fn.select2.defaults) {
    return;
  }
  $.fn.select2.defaults.set("language", {
    errorLoading: function () { return "无法载入结果。"; },
    inputTooLong: function (args) {
      return "请删除" + (args.input.length - args.maximum) + "个字符";
    },
    inputTooShort: function (args) {
      return "请再输入至少" + (args.minimum - args.input.length) + "个字符";
    },
    loadingMore: function () { return "载入更多结果…"; },
    maximumSelected: function (args) { return "最多只能选择" + args.maximum + "项"; },
    noResults: function () { return "未找到结果"; },
    searching: function () { return "搜索中…"; },
    removeAllItems: function () { return "删除所有项目"; },
    removeItem: function () { return "删除项目"; }
  });
}(window.jQuery));
