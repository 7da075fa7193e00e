/* Asks before a button, link or form does something that cannot be undone.
 *
 *   <button type="submit" data-confirm="确定删除此草稿？">删除草稿</button>
 *   <form method="post" data-confirm="确认撤回该计划吗？">…</form>
 *
 * Replaces inline onclick="return confirm(…)", which the Content-Security-
 * Policy forbids (no 'unsafe-inline' in script-src). Delegated from the
 * document, so it also covers elements added after the page loaded.
 */
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("[data-confirm]") : null;
    if (!target || target.tagName === "FORM") {
      return;
    }
    if (!window.confirm(target.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.tagName === "FORM" && form.hasAttribute("data-confirm")
        && !window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  }, true);
})();
