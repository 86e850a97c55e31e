// Keyboard use for staff pages: "/" search, "g" then a letter to move between sections, j/k and Enter in
// tables, "?" for help. Everything also works without JavaScript (plain links and forms).
(function () {
  "use strict";
  let pendingG = false;
  const typing = (el) => el && (el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName));

  function rows() { return Array.from(document.querySelectorAll("table.data[data-keyboard] tbody tr")); }
  function move(step) {
    const list = rows(); if (!list.length) return;
    let i = list.findIndex((r) => r.classList.contains("selected"));
    if (i >= 0) list[i].classList.remove("selected");
    i = Math.min(list.length - 1, Math.max(0, i + step));
    list[i].classList.add("selected");
    list[i].scrollIntoView({ block: "nearest" });
    const link = list[i].querySelector("a"); if (link) link.focus({ preventScroll: true });
  }

  // a picker that shows its choice at once (no inline onchange: the Content-Security-Policy refuses inline code)
  document.addEventListener("change", (e) => {
    if (e.target.matches && e.target.matches("select[data-autosubmit]") && e.target.form) e.target.form.submit();
  });

  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
    if (pendingG) {
      pendingG = false;
      const target = document.querySelector(`[data-shortcut="${e.key}"]`);
      if (target) { e.preventDefault(); target.click(); }
      return;
    }
    if (e.key === "g") { pendingG = true; setTimeout(() => (pendingG = false), 1200); return; }
    if (e.key === "/") {
      const search = document.querySelector("[data-search]");
      if (search) { e.preventDefault(); search.focus(); search.select(); }
    } else if (e.key === "j") { e.preventDefault(); move(1); }
    else if (e.key === "k") { e.preventDefault(); move(-1); }
    else if (e.key === "?") {
      const help = document.getElementById("shortcuts-help");
      if (help) help.hidden = !help.hidden;
    } else if (e.key === "Escape") {
      const help = document.getElementById("shortcuts-help"); if (help) help.hidden = true;
    }
  });

  // Large type (适老化) before logging in: remembered in a cookie; the server reads it too.
  document.addEventListener("click", (e) => {
    const toggle = e.target.closest("[data-large-text-toggle]");
    if (!toggle || toggle.form) return;
    e.preventDefault();
    const on = !document.documentElement.classList.contains("large-text");
    document.documentElement.classList.toggle("large-text", on);
    document.cookie = "gz_large_text=" + (on ? "1" : "0") + "; path=/; max-age=31536000; samesite=lax";
    toggle.setAttribute("aria-pressed", on ? "true" : "false");
  });

  // Reply templates (答复模板): picking one fills the reply box, which the worker then edits.
  document.addEventListener("change", (e) => {
    const select = e.target.closest("select[data-fill]");
    if (!select) return;
    const option = select.selectedOptions[0];
    const box = document.getElementById(select.dataset.fill);
    if (box && option && option.dataset.text) { box.value = option.dataset.text; box.focus(); }
  });

  // On a phone, staff tables become one card per row (app.css); each cell is labelled with its column's header,
  // also in rows HTMX swaps in (the live queue).
  function labelCells(root) {
    root.querySelectorAll("table.data").forEach((table) => {
      const heads = Array.from(table.querySelectorAll("thead th")).map((th) => th.textContent.trim());
      table.querySelectorAll("tbody tr, tfoot tr").forEach((tr) => {
        Array.from(tr.children).forEach((cell, i) => {
          if (cell.colSpan === 1 && heads[i] && !cell.dataset.label) cell.dataset.label = heads[i];
        });
      });
    });
  }
  document.addEventListener("DOMContentLoaded", () => labelCells(document));
  document.addEventListener("htmx:afterSettle", () => labelCells(document));  // labelled cells are left as they are

  // A control swapped out from under the keyboard (the queue's filters, redrawn with the list they chose) keeps
  // the focus: the new element of the same id gets it back, so keyboard users go on where they were.
  let focusedId = "";
  document.addEventListener("htmx:beforeRequest", () => { focusedId = document.activeElement?.id || ""; });
  document.addEventListener("htmx:afterSettle", () => {
    if (focusedId && (!document.activeElement || document.activeElement === document.body)) {
      document.getElementById(focusedId)?.focus();
    }
    focusedId = "";
  });

  // CSRF token for HTMX requests
  document.addEventListener("htmx:configRequest", (e) => {
    const token = document.querySelector("meta[name=csrf-token]");
    if (token) e.detail.headers["X-CSRFToken"] = token.content;
  });
})();

// What was typed survives a refused action: each POST form's text is kept for the page it returns to, and put
// back (with the focus) when that page says why it was refused (role="alert"); a page without a refusal
// forgets it. Passwords and files are never kept.
(function () {
  "use strict";
  const KEY = "gongzhi:typed";
  document.addEventListener("submit", (e) => {
    const form = e.target;
    if (!(form instanceof HTMLFormElement) || (form.method || "").toLowerCase() !== "post") return;
    const values = {};
    for (const el of form.elements) {
      if (!el.name || el.type === "password" || el.type === "file" || el.type === "hidden") continue;
      if ((el.type === "radio" || el.type === "checkbox")) { if (el.checked) values[el.name] = el.value; continue; }
      if (el.value) values[el.name] = el.value;
    }
    try { sessionStorage.setItem(KEY, JSON.stringify({ action: form.getAttribute("action") || location.pathname, values })); }
    catch (err) { /* private mode: nothing kept */ }
  }, true);
  window.addEventListener("DOMContentLoaded", () => {
    let kept = null;
    try { kept = JSON.parse(sessionStorage.getItem(KEY) || "null"); sessionStorage.removeItem(KEY); } catch (err) { return; }
    if (!kept || !document.querySelector('.alert[role="alert"], .field-error, .errorlist')) return;
    const form = Array.from(document.querySelectorAll("form")).find((f) => (f.getAttribute("action") || location.pathname) === kept.action);
    if (!form) return;
    let first = null;
    for (const [name, value] of Object.entries(kept.values)) {
      for (const el of form.querySelectorAll(`[name="${CSS.escape(name)}"]`)) {
        if (el.type === "radio" || el.type === "checkbox") { el.checked = el.value === value; continue; }
        if (!el.value) { el.value = value; first = first || el; }
      }
    }
    const box = form.closest("details"); if (box) box.open = true;
    if (first) first.focus();
  });
})();
