/* The units' screens and the report form (no inline script: the CSP forbids it).
 *
 * - A draft of the report form is kept in this browser (localStorage, per task) while
 *   typing, so that a dropped connection loses nothing: restored on the next visit with
 *   a notice, cleared once the server says the report was saved (the success message of
 *   the report form carries the class "done-report"). Files cannot be kept; the notice
 *   says to attach them again.
 * - Errors where the eye is: the form's error summary takes the focus; each field with
 *   an error is marked invalid and described by its message.
 * - Landing on #report (the workspace's "Report" button) puts the focus in the form; a
 *   "?period=YYYY-MM-DD" link (a missed report) fills the period in.
 * - The workspace marks the tasks that have a draft kept.
 */
(function () {
  "use strict";

  var store = null;
  try {
    store = window.localStorage;
    store.getItem("closeout:probe");
  } catch (e) {
    store = null;
  }

  function read(key) {
    if (!store) return null;
    try {
      return JSON.parse(store.getItem(key) || "null");
    } catch (e) {
      return null;
    }
  }
  function write(key, value) {
    if (!store) return;
    try {
      store.setItem(key, JSON.stringify(value));
    } catch (e) {
      /* full or refused: the draft is a convenience, the form still works */
    }
  }
  function drop(key) {
    if (!store) return;
    try {
      store.removeItem(key);
    } catch (e) {
      /* ignore */
    }
  }

  var SKIPPED = { file: 1, submit: 1, button: 1, hidden: 1, reset: 1, password: 1 };

  function draftFields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && !SKIPPED[el.type] && el.name !== "csrfmiddlewaretoken";
    });
  }

  function collect(form) {
    var data = {};
    draftFields(form).forEach(function (el) {
      if (el.type === "checkbox" || el.type === "radio") {
        if (el.checked) data[el.name] = el.value;
      } else {
        data[el.name] = el.value;
      }
    });
    return data;
  }

  function hasContent(data) {
    if (!data) return false;
    return Object.keys(data).some(function (name) {
      return String(data[name] || "").trim() !== "";
    });
  }

  function fill(form, data) {
    draftFields(form).forEach(function (el) {
      if (!Object.prototype.hasOwnProperty.call(data, el.name)) return;
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = data[el.name] === el.value;
      } else {
        el.value = data[el.name];
      }
    });
  }

  function say(status, text) {
    if (!status || !text) return;
    status.textContent = text;
    status.hidden = false;
  }

  function markErrors(form) {
    Array.prototype.forEach.call(form.querySelectorAll(".has-error"), function (box) {
      var list = box.querySelector(".errorlist");
      Array.prototype.forEach.call(box.querySelectorAll("input, select, textarea"), function (el) {
        el.setAttribute("aria-invalid", "true");
        if (list && list.id) el.setAttribute("aria-describedby", list.id);
      });
    });
  }

  function firstField(form) {
    return form.querySelector(
      "textarea, select, input:not([type=hidden]):not([type=file]):not([type=submit])"
    );
  }

  function setupReportForm(form) {
    var key = form.getAttribute("data-draft-key");
    var status = form.querySelector(".draft-status");
    var bound = form.getAttribute("data-bound") === "1";
    if (document.querySelector(".message.done-report")) drop(key); // the report was saved

    var draft = read(key);
    if (!bound && draft && hasContent(draft.fields)) {
      fill(form, draft.fields);
      say(status, form.getAttribute("data-draft-restored"));
      form.setAttribute("data-draft", "restored");
    } else if (!bound) {
      var period = new URLSearchParams(window.location.search).get("period");
      var input = form.querySelector("input[name=period]");
      if (period && /^\d{4}-\d{2}-\d{2}$/.test(period) && input && !input.value) {
        input.value = period;
      }
    }

    function save() {
      var data = collect(form);
      if (hasContent(data)) {
        write(key, { fields: data, at: new Date().toISOString() });
      } else {
        drop(key);
      }
    }
    form.addEventListener("input", save);
    form.addEventListener("change", save);
    form.addEventListener("submit", save);

    markErrors(form);
    var summary = form.querySelector(".error-summary");
    var target = summary || (window.location.hash === "#report" ? firstField(form) : null);
    if (target) {
      focusOn(target);
      // The browser's own scroll to the page's #fragment comes with the load and may take
      // the focus away again: put it back where it belongs.
      window.addEventListener("load", function () {
        if (document.activeElement !== target) focusOn(target);
      });
    }
  }

  function focusOn(el) {
    el.focus();
    if (el.classList.contains("error-summary")) el.scrollIntoView({ block: "start" });
  }

  function markDrafts() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-draft-for]"), function (item) {
      var draft = read(item.getAttribute("data-draft-for"));
      if (!draft || !hasContent(draft.fields)) return;
      var badge = document.createElement("span");
      badge.className = "draft-badge";
      badge.setAttribute("data-testid", "draft-badge");
      badge.textContent = item.getAttribute("data-draft-label") || "draft";
      var text = item.querySelector(".owe-text");
      (text || item).appendChild(badge);
    });
  }

  function start() {
    Array.prototype.forEach.call(
      document.querySelectorAll("form[data-draft-key]"),
      setupReportForm
    );
    markDrafts();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
