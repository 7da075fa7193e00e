/* The one confirmation dialog (#modal-confirm, app/templates/appbuilder/
 * general/confirm.html) for every irreversible action, driven by data-
 * attributes:
 *
 *   <button type="submit" data-confirm="发布后公告将推送至交易平台并在网站公开，不能撤回。"
 *           data-confirm-title="发布公告" data-confirm-record="2026-001 某某采购公告">发布</button>
 *
 *   data-confirm          what will happen (required; on a submit button or its form)
 *   data-confirm-title    the action, the dialog's title (default: the button's text)
 *   data-confirm-record   the record it acts on
 *   data-confirm-record-row   the record is the table row the element sits in
 *   data-confirm-choice="result"  the checked input of that name in the form
 *                         carries its own data-confirm / -title (审核: 通过 or 退回)
 *   data-fab-action="name"  a FAB list action over the ticked rows (#action_form);
 *                         the ticked rows are the records
 *   data-confirm-change   on a field of a form: asks only when that field was
 *                         changed from what the page showed (所属区划 on an edit
 *                         form); its data-confirm-title names the action
 *   data-required-when="result=退回"  on a field: required while that choice
 *                         is checked (审批意见 for 退回), so that the browser's
 *                         check, with data-required-message, comes before the
 *                         dialog rather than the server's refusal after it
 *
 * A form asks on its submit event, so the browser's own checks (required
 * fields) come first and Enter in a field asks too. 确定 submits the form
 * with the same button (its name/value are sent); 取消 sends nothing.
 * Without JavaScript the form submits unasked and the server remains the
 * guard. No inline script or handler: the Content-Security-Policy forbids
 * them. Listeners are on the document, in the capture phase, so elements
 * added later are covered and nothing else acts on the click first.
 */
(function () {
  "use strict";

  var modal = document.getElementById("modal-confirm");
  var pending = null; // what 确定 does, while the dialog is open for us

  function text(el) {
    return (el && el.textContent || "").replace(/\s+/g, " ").trim();
  }

  function rowLabel(row) {
    // A FAB list row: the first two cells that are data, not the tick box
    // or the row's buttons.
    var cells = Array.prototype.filter.call(row.querySelectorAll("td"), function (td) {
      return !td.querySelector("input.action_check, .btn, form") && text(td);
    });
    return cells.slice(0, 2).map(text).join(" ");
  }

  function show(title, records, consequence, onOk) {
    modal.querySelector("#modal-confirm-title").textContent = title;
    var box = modal.querySelector("#modal-confirm-record");
    box.textContent = "";
    if (records.length === 1) {
      var strong = document.createElement("strong");
      strong.textContent = records[0];
      box.appendChild(strong);
    } else if (records.length > 1) {
      box.appendChild(document.createTextNode(
        modal.getAttribute("data-text-ticked").replace("{count}", records.length)));
      var list = document.createElement("ul");
      records.forEach(function (label) {
        var item = document.createElement("li");
        item.textContent = label;
        list.appendChild(item);
      });
      box.appendChild(list);
    }
    modal.querySelector("#modal-confirm-text").textContent = consequence;
    var ok = modal.querySelector("#modal-confirm-ok");
    ok.disabled = false;
    ok.style.display = onOk ? "" : "none";
    // With nothing to confirm (nothing ticked), the one button closes it: 知道了, not 取消.
    modal.querySelector("#modal-confirm-cancel").textContent =
      modal.getAttribute(onOk ? "data-text-cancel" : "data-text-close");
    pending = onOk || function () {};
    window.jQuery(modal).modal("show");
  }

  function changed(field) {
    if (field.tagName === "SELECT") {
      return Array.prototype.some.call(field.options, function (option) {
        return option.selected !== option.defaultSelected;
      });
    }
    return field.value !== field.defaultValue;
  }

  // A field whose change must be confirmed, changed in this form; or null.
  function changedField(form) {
    var fields = form.querySelectorAll("[data-confirm-change]");
    for (var i = 0; i < fields.length; i++) {
      if (changed(fields[i])) {
        return fields[i];
      }
    }
    return null;
  }

  function describe(source, fallbackTitle) {
    var title = source.getAttribute("data-confirm-title") || fallbackTitle;
    var consequence = source.getAttribute("data-confirm");
    var record = source.getAttribute("data-confirm-record");
    if (source.hasAttribute("data-confirm-record-row") && source.closest("tr")) {
      record = rowLabel(source.closest("tr"));
    }
    return {title: title, records: record ? [record] : [], consequence: consequence};
  }

  // Forms: ask before a submit that carries data-confirm (on the button or the form).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.tagName !== "FORM" || form.hasAttribute("data-confirmed")) {
      form.removeAttribute && form.removeAttribute("data-confirmed");
      return;
    }
    var button = event.submitter || null;
    var source = button && button.hasAttribute("data-confirm") ? button
      : form.hasAttribute("data-confirm") ? form : null;
    var field = source ? null : changedField(form);
    if ((!source && !field) || !window.jQuery || !modal) {
      return;
    }
    event.preventDefault();
    event.stopImmediatePropagation();
    var what = field ? {title: field.getAttribute("data-confirm-title"), records: [],
                        consequence: field.getAttribute("data-confirm-change")}
      : describe(source, text(button) || text(form.querySelector("[type=submit]")));
    var choice = source && source.getAttribute("data-confirm-choice");
    var picked = choice && form.querySelector("[name='" + choice + "']:checked");
    if (picked && picked.hasAttribute("data-confirm")) {
      what.title = picked.getAttribute("data-confirm-title") || what.title;
      what.consequence = picked.getAttribute("data-confirm");
    }
    show(what.title, what.records, what.consequence, function () {
      form.setAttribute("data-confirmed", "");
      try {
        if (form.requestSubmit) {
          form.requestSubmit(button && button.form === form ? button : undefined);
        } else {
          form.submit();
        }
      } finally {
        // Only this one submit goes unasked, even if the browser refused it.
        form.removeAttribute("data-confirmed");
      }
    });
  }, true);

  // Links with data-confirm, and FAB's list actions over the ticked rows.
  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("a[data-confirm], [data-fab-action]") : null;
    if (!target || !window.jQuery || !modal) {
      return;
    }
    event.preventDefault();
    event.stopImmediatePropagation();
    var what = describe(target, text(target));
    if (!target.hasAttribute("data-fab-action")) {
      show(what.title, what.records, what.consequence, function () {
        window.location.assign(target.href);
      });
      return;
    }
    var form = document.getElementById("action_form");
    var ticked = Array.prototype.slice.call(document.querySelectorAll("input.action_check:checked"));
    if (!form || ticked.length === 0) {
      show(what.title, [], modal.getAttribute("data-text-none-ticked").replace("{action}", what.title),
           null);
      return;
    }
    var run = function () {
      form.querySelector("input[name=action]").value = target.getAttribute("data-fab-action");
      Array.prototype.forEach.call(form.querySelectorAll("input.action_check"), function (old) {
        old.remove();
      });
      ticked.forEach(function (box) {
        var copy = box.cloneNode();
        copy.type = "hidden";
        copy.className = "action_check";
        form.appendChild(copy);
      });
      form.submit();
    };
    if (!what.consequence) {
      run();
      return;
    }
    show(what.title, ticked.map(function (box) { return rowLabel(box.closest("tr")); }),
         what.consequence, run);
  }, true);

  function requireByChoice() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-required-when]"), function (field) {
      var rule = field.getAttribute("data-required-when").split("=");
      var chosen = field.form && field.form.querySelector(
        "input[name='" + rule[0] + "']:checked");
      field.required = !!chosen && chosen.value === rule[1];
      if (!field.required) {
        field.setCustomValidity("");
      }
    });
  }
  document.addEventListener("change", requireByChoice, true);
  requireByChoice();
  document.addEventListener("invalid", function (event) {
    var field = event.target;
    if (field.getAttribute && field.getAttribute("data-required-message")
        && field.validity.valueMissing) {
      field.setCustomValidity(field.getAttribute("data-required-message"));
    }
  }, true);
  document.addEventListener("input", function (event) {
    if (event.target.getAttribute && event.target.getAttribute("data-required-message")) {
      event.target.setCustomValidity("");
    }
  }, true);

  if (modal) {
    modal.addEventListener("click", function (event) {
      if (event.target.closest("#modal-confirm-ok") && pending) {
        // FAB's own handler on this button (ab_actions.js) must not act too.
        event.stopImmediatePropagation();
        event.target.closest("#modal-confirm-ok").disabled = true;
        var go = pending;
        pending = null;
        go();
      }
    }, true);
    window.jQuery && window.jQuery(modal).on("hidden.bs.modal", function () {
      pending = null;
    });
  }
})();
