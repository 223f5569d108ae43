// authmock inspector: everything here goes through the control API, so it can be scripted too.
// Hand-written, no dependency, no build step. Polls once a second; a section is rebuilt only
// when its data changed, and the focused control is found again afterwards (keyboard users).
"use strict";

(() => {
  const base = new URL(".", location.href); // .../__authmock__/
  const TOKEN_KEY = "authmock-control-token";
  const POLL_MS = Number(new URLSearchParams(location.search).get("poll")) || 1000;
  const JOURNAL_ROWS = 200;
  let token = sessionStorage.getItem(TOKEN_KEY) || "";
  if (location.hash.startsWith("#token=")) {
    token = decodeURIComponent(location.hash.slice(7));
    sessionStorage.setItem(TOKEN_KEY, token);
    history.replaceState(null, "", location.pathname + location.search);
  }

  const $ = (id) => document.getElementById(id);
  const state = { clock: null, statuses: [], catalogue: null, catalogueTried: false };
  const seen = {}; // section -> JSON of the data last rendered

  // --- requests ---------------------------------------------------------------------------
  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  async function api(method, path, body) {
    const headers = {};
    const sent = token; // a request still under way when the token changes says nothing of it
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (sent) headers.Authorization = `Bearer ${sent}`;
    let response;
    try {
      response = await fetch(new URL(path, base), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: "no-store",
      });
    } catch (err) {
      throw new ApiError(0, "the fake does not answer (is it still running?)");
    }
    let data = null;
    const text = response.status === 204 ? "" : await response.text();
    if (text) {
      try {
        data = JSON.parse(text);
      } catch (err) {
        data = null;
      }
    }
    if (sent === token) $("token-form").hidden = response.status !== 401;
    if (!response.ok) {
      const message = data && typeof data.error === "string" ? data.error : response.statusText;
      throw new ApiError(response.status, `${method} ${path}: ${response.status} ${message}`);
    }
    return data;
  }

  function say(message, isError) {
    const status = $("status");
    status.textContent = message;
    status.classList.toggle("error", Boolean(isError));
  }

  // Run an action from a button or form, then refresh everything.
  async function act(label, work) {
    try {
      await work();
      say(label);
    } catch (err) {
      say(err.message, true);
    }
    await refresh();
  }

  // --- DOM helpers ------------------------------------------------------------------------
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
      else if (key === "className") el.className = value;
      else el.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return el;
  }

  // A table cell that names its column, for the stacked layout of narrow screens.
  const td = (label, attrs, ...children) => h("td", { ...attrs, "data-label": label }, ...children);

  // Replace a container's children, keeping focus on the control with the same data-key.
  function replace(container, nodes) {
    const active = document.activeElement;
    const key = active && container.contains(active) ? active.getAttribute("data-key") : null;
    container.replaceChildren(...nodes);
    if (key) {
      const again = container.querySelector(`[data-key="${CSS.escape(key)}"]`);
      if (again) again.focus();
    }
  }

  function changed(section, data) {
    const text = JSON.stringify(data);
    if (seen[section] === text) return false;
    seen[section] = text;
    return true;
  }

  function shortTime(iso) {
    if (!iso) return "never";
    return iso.replace("T", " ").replace(/\.\d+Z$/, "Z");
  }

  function relative(iso) {
    if (!iso || !state.clock) return "";
    const seconds = Math.round((Date.parse(iso) - Date.parse(state.clock.now)) / 1000);
    const words = duration(Math.abs(seconds));
    return seconds >= 0 ? `in ${words}` : `${words} ago`;
  }

  function duration(seconds) {
    if (seconds < 60) return `${seconds} s`;
    if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
    if (seconds < 86400) {
      const minutes = Math.floor((seconds % 3600) / 60);
      return `${Math.floor(seconds / 3600)} h${minutes ? ` ${minutes} min` : ""}`;
    }
    const hours = Math.floor((seconds % 86400) / 3600);
    return `${Math.floor(seconds / 86400)} d${hours ? ` ${hours} h` : ""}`;
  }

  const path = (email) => encodeURIComponent(email);

  // --- header -----------------------------------------------------------------------------
  async function loadHealth() {
    const health = await api("GET", "health");
    $("flavour").textContent = health.flavour;
    $("profile").textContent = health.profile;
    document.title = `authmock inspector · ${health.flavour}`;
    const link = $("base-url");
    link.textContent = location.origin;
    link.href = `${location.origin}/`;
  }

  // --- clock ------------------------------------------------------------------------------
  function renderClock(clock) {
    state.clock = clock;
    $("clock-now").textContent = shortTime(clock.now);
    const offset = clock.offset_seconds;
    const sign = offset < 0 ? "−" : "+";
    $("clock-offset").textContent =
      Math.abs(offset) < 1 ? "none" : `${sign}${duration(Math.round(Math.abs(offset)))}`;
    $("clock-frozen").textContent = clock.frozen ? "yes" : "no";
    $("clock-freeze").textContent = clock.frozen ? "Unfreeze" : "Freeze";
    const field = $("clock-set");
    if (document.activeElement !== field && !field.value) field.placeholder = clock.now;
  }

  async function loadClock() {
    renderClock(await api("GET", "clock"));
  }

  function clockAction(body, label) {
    return act(label, async () => renderClock(await api("POST", "clock", body)));
  }

  // --- users ------------------------------------------------------------------------------
  function userRow(user) {
    const email = user.email;
    const statusSelect = h(
      "select",
      { "aria-label": `New status for ${email}`, "data-key": `status-select:${email}` },
      state.statuses.map((s) => h("option", { value: s, selected: s === user.status }, s)),
    );
    const verb = (name, label, body) =>
      h(
        "button",
        {
          type: "button",
          className: "small",
          "data-key": `${name}:${email}`,
          "aria-label": `${label} of ${email}`,
          onclick: () =>
            act(`${label}: ${email}`, () => api("POST", `users/${path(email)}/${name}`, body && body())),
        },
        label,
      );
    const totpCell = user.totp
      ? td("TOTP code", { className: "nowrap" },
          h("span", { className: "otp mono", "data-otp": email }, "……"),
          h("span", { className: "countdown", "data-otp-left": email }, ""))
      : td("TOTP code", {}, "—");
    return h(
      "tr",
      { "data-user": email },
      td("E-mail", {}, email),
      td("Role", {}, user.role || "—"),
      td("Status", {}, user.status),
      td("Provider", {}, user.provider),
      totpCell,
      td(
        "Actions",
        {},
        h(
          "div",
          { className: "actions" },
          verb("expire-sessions", "Expire sessions"),
          verb("revoke-sessions", "Revoke sessions"),
          verb("lockout", "Lock out"),
          statusSelect,
          verb("status", "Set status", () => ({ status: statusSelect.value })),
        ),
      ),
    );
  }

  async function loadUsers() {
    const data = await api("GET", "users");
    state.statuses = data.statuses || [];
    if (changed("users", data)) {
      replace($("users-body"), data.users.map(userRow));
    }
    await Promise.all(
      data.users.filter((u) => u.totp).map(async (u) => {
        const otp = await api("GET", `users/${path(u.email)}/otp`);
        const code = document.querySelector(`[data-otp="${CSS.escape(u.email)}"]`);
        const left = document.querySelector(`[data-otp-left="${CSS.escape(u.email)}"]`);
        if (code) code.textContent = otp.otp;
        if (left) {
          left.textContent = `${otp.valid_for_seconds} s`;
          left.title = `next: ${otp.next}`;
        }
      }),
    );
  }

  // --- sessions ---------------------------------------------------------------------------
  function sessionRow(s) {
    return h(
      "tr",
      { className: s.expired ? "expired" : "live", "data-session": s.id, "data-user": s.user || "" },
      td("User", {}, s.user || "—"),
      td("Kind", {}, s.kind),
      td("Issued", {}, h("time", { datetime: s.issued_at, title: relative(s.issued_at) }, shortTime(s.issued_at))),
      td("Expires", {}, h("time", { datetime: s.expires_at || "" }, shortTime(s.expires_at)),
        s.expires_at ? h("span", { className: "hint" }, ` ${relative(s.expires_at)}`) : null),
      td("State", {}, h("span", { className: `badge ${s.expired ? "expired" : "live"}` },
        s.expired ? "expired" : "live")),
      td("", {}, h("button", {
        type: "button",
        className: "small danger",
        "data-key": `revoke:${s.id}`,
        "aria-label": `Revoke ${s.kind} of ${s.user || "unknown user"} issued ${shortTime(s.issued_at)}`,
        onclick: () => act(`Revoked a ${s.kind} of ${s.user}`, () => api("DELETE", `sessions/${path(s.id)}`)),
      }, "Revoke")),
    );
  }

  async function loadSessions() {
    const data = await api("GET", "sessions");
    // the "in 14 min" hints follow the clock, so the clock is part of what is rendered
    const minute = state.clock ? state.clock.now.slice(0, 16) : "";
    if (changed("sessions", [data, minute])) {
      replace($("sessions-body"), data.sessions.map(sessionRow));
      $("sessions-empty").hidden = data.sessions.length > 0;
    }
  }

  // --- mailbox ----------------------------------------------------------------------------
  function copyButton(text, key) {
    return h("button", {
      type: "button",
      className: "small",
      "data-key": key,
      onclick: async (event) => {
        const button = event.currentTarget;
        try {
          await navigator.clipboard.writeText(text);
          button.textContent = "Copied";
        } catch (err) {
          const range = document.createRange();
          range.selectNodeContents(button.previousElementSibling);
          getSelection().removeAllRanges();
          getSelection().addRange(range);
          button.textContent = "Selected: press Ctrl+C";
        }
      },
    }, "Copy");
  }

  function messageView(m) {
    return h(
      "article",
      { className: "message", "data-message": m.id },
      h("header", {}, h("strong", {}, m.subject), h("span", {}, `to ${m.to}`),
        h("time", { datetime: m.sent_at }, shortTime(m.sent_at))),
      h("pre", {}, m.text),
      m.links && m.links.length
        ? h("ul", { "aria-label": "Links" }, m.links.map((link, i) =>
            h("li", {}, h("a", { href: link, target: "_blank", rel: "noopener", "data-key": `link:${m.id}:${i}` }, link))))
        : null,
      m.token
        ? h("div", { className: "token" }, h("span", {}, "Token:"), h("code", { "data-token": m.id }, m.token),
            copyButton(m.token, `copy:${m.id}`))
        : null,
    );
  }

  async function loadMailbox() {
    const data = await api("GET", "mailbox");
    if (changed("mailbox", data)) {
      const newestFirst = data.messages.slice().reverse();
      replace($("mailbox-list"), newestFirst.map(messageView));
      $("mailbox-empty").hidden = data.messages.length > 0;
    }
  }

  // --- journal ----------------------------------------------------------------------------
  function statusClass(status) {
    return `status-${String(status)[0]}xx`;
  }

  function journalRow(e) {
    const fault = e.fault === null || e.fault === undefined ? "" : `rule ${e.fault}`;
    return h(
      "tr",
      {},
      td("At", { className: "nowrap" }, h("time", { datetime: e.at }, shortTime(e.at).slice(11))),
      td("Method", {}, e.method),
      td("Path", { className: "mono" }, e.query ? `${e.path}?${e.query}` : e.path),
      td("Status", { className: statusClass(e.status) }, e.status),
      td("User", {}, e.user || ""),
      td("Reason", {}, e.reason || ""),
      td("Fault", {}, fault),
    );
  }

  async function loadJournal() {
    const data = await api("GET", "journal");
    const filter = $("journal-filter").value.trim().toLowerCase();
    const entries = data.requests
      .filter((e) => !filter || e.path.toLowerCase().includes(filter))
      .slice(-JOURNAL_ROWS)
      .reverse();
    if (changed("journal", [entries, filter])) {
      replace($("journal-body"), entries.map(journalRow));
      $("journal-empty").hidden = entries.length > 0;
      $("journal-empty").textContent = filter
        ? `No request whose path contains "${filter}".`
        : "No requests yet. This list updates by itself.";
    }
  }

  // --- faults -----------------------------------------------------------------------------
  function describeAnswer(rule) {
    const parts = [];
    if (rule.error) parts.push(rule.error);
    if (rule.respond) parts.push(`respond ${rule.respond.status || ""}`.trim());
    if (rule.drop) parts.push("drop connection");
    if (rule.delay_ms) parts.push(`delay ${rule.delay_ms} ms`);
    const match = rule.match || {};
    if (match.user) parts.push(`for ${match.user}`);
    if (rule.after) parts.push(`after ${rule.after}`);
    return parts.join(", ") || "—";
  }

  function faultRow(rule) {
    const match = rule.match || {};
    const remaining = rule.remaining === null || rule.remaining === undefined ? "∞" : rule.remaining;
    return h(
      "tr",
      { "data-fault": rule.id },
      td("#", {}, rule.id),
      td("Method", {}, match.method || "any"),
      td("Path", { className: "mono" }, match.path || ""),
      td("Answer", {}, describeAnswer(rule)),
      td("Remaining", {}, remaining),
      td("", {}, h("button", {
        type: "button",
        className: "small danger",
        "data-key": `fault:${rule.id}`,
        "aria-label": `Delete fault rule ${rule.id}`,
        onclick: () => act(`Deleted fault rule ${rule.id}`, () => api("DELETE", `faults/${rule.id}`)),
      }, "Delete")),
    );
  }

  async function loadCatalogue() {
    if (state.catalogueTried) return;
    state.catalogueTried = true;
    let errors = [];
    try {
      errors = (await api("GET", "faults/catalogue")).errors || [];
    } catch (err) {
      say(`No fault catalogue on this server (${err.message})`, true);
    }
    state.catalogue = errors;
    replace($("fault-error"), errors.map((e) =>
      h("option", { value: e.name, title: e.description || "" }, `${e.name} (${e.status})`)));
  }

  async function loadFaults() {
    const data = await api("GET", "faults");
    if (changed("faults", data)) {
      replace($("faults-body"), data.faults.map(faultRow));
      $("faults-empty").hidden = data.faults.length > 0;
    }
  }

  // --- polling ----------------------------------------------------------------------------
  let running = null; // the refresh under way, if any
  let again = false; // something changed while it ran: refresh once more after it
  async function refreshOnce() {
    try {
      await loadClock(); // first: the session hints are relative to it
      await Promise.all([loadUsers(), loadSessions(), loadMailbox(), loadJournal(), loadFaults()]);
      if ($("status").classList.contains("error") && /does not answer/.test($("status").textContent)) {
        say("");
      }
    } catch (err) {
      say(err.message, true);
    }
  }

  async function refresh() {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await refreshOnce();
      } while (again);
    })();
    try {
      await running;
    } finally {
      running = null;
    }
  }

  function poll() {
    refresh().finally(() => setTimeout(poll, POLL_MS));
  }

  // --- wiring -----------------------------------------------------------------------------
  function wire() {
    $("reset").addEventListener("click", () => act("Reset: back to the fixtures", () => api("POST", "reset")));
    for (const button of document.querySelectorAll("[data-advance]")) {
      const amount = button.getAttribute("data-advance");
      button.addEventListener("click", () => clockAction({ advance: amount }, `Clock moved ${button.textContent}`));
    }
    $("clock-freeze").addEventListener("click", () => {
      const freeze = !(state.clock && state.clock.frozen);
      clockAction({ freeze }, freeze ? "Clock frozen" : "Clock running again");
    });
    $("clock-reset").addEventListener("click", () => clockAction({ reset: true }, "Clock back to real time"));
    $("clock-set-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const field = $("clock-set");
      const value = field.value.trim();
      clockAction({ set: value }, `Clock set to ${value}`).then(() => {
        if (!$("status").classList.contains("error")) field.value = "";
      });
    });
    $("mailbox-clear").addEventListener("click", () => act("Mailbox emptied", () => api("DELETE", "mailbox")));
    $("journal-clear").addEventListener("click", () => act("Journal emptied", () => api("DELETE", "journal")));
    $("journal-filter").addEventListener("input", () => loadJournal().catch((err) => say(err.message, true)));
    $("faults-clear").addEventListener("click", () => act("Every fault rule removed", () => api("DELETE", "faults")));
    $("fault-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const form = event.currentTarget;
      const rule = { match: { path: form.path.value.trim() }, error: form.error.value };
      if (form.method.value) rule.match.method = form.method.value;
      const times = form.times.value.trim();
      rule.times = times === "" ? null : Number(times);
      act(`Fault added: ${rule.error} on ${rule.match.path}`, () => api("POST", "faults", rule));
    });
    $("token-form").addEventListener("submit", (event) => {
      event.preventDefault();
      token = $("token-input").value;
      sessionStorage.setItem(TOKEN_KEY, token);
      $("token-form").hidden = true;
      state.catalogueTried = false;
      start();
    });
  }

  async function start() {
    try {
      await loadHealth();
      await loadCatalogue();
    } catch (err) {
      say(err.message, true);
    }
  }

  wire();
  start().then(poll);
})();
