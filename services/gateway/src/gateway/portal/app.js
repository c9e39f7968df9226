// The MSC portal: customers list and Customer Details (Summary and SLA tabs).
// Plain browser JavaScript, served by the gateway; no build step, nothing from a CDN.
// Every value from the API reaches the page through textContent, never as HTML.
"use strict";

const view = document.getElementById("view");
const TOKEN_KEY = "msc.token";

// ---------- tiny DOM helper ----------
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else el.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

const text = (value, empty = "—") => (value === null || value === undefined || value === "" ? empty : String(value));
const when = (iso) => (iso ? new Date(iso).toLocaleString() : "—");
const badge = (value) => h("span", { class: `badge ${value}` }, text(value).replaceAll("_", " "));
// Human labels of the contract's enum values.
const LABELS = {
  tenant_type: { commercial: "Commercial", evaluation: "Evaluation" },
  edition: { business: "Business", enterprise: "Enterprise", elite: "Elite" },
};
const labelOf = (field, value) => (LABELS[field] && LABELS[field][value]) || text(value);
const choices = (field) => Object.entries(LABELS[field]);

const daysUntil = (isoDate) => Math.ceil((Date.parse(`${isoDate}T00:00:00Z`) - Date.now()) / 86400000);
function expiryNote(isoDate) {
  if (!isoDate) return "";
  const days = daysUntil(isoDate);
  if (days < 0) return " (expired)";
  if (days === 0) return " (expires today)";
  return ` (expires in ${days} day${days === 1 ? "" : "s"})`;
}

function quotaNote(quota, used) {
  if (!quota) return "";
  return ` (${((100 * used) / quota).toFixed(1)} % used in the last 90 days)`;
}

// ---------- session ----------
function token() { return sessionStorage.getItem(TOKEN_KEY); }
function claims() {
  try { return JSON.parse(atob(token().split(".")[1].replace(/-/g, "+").replace(/_/g, "/"))); }
  catch { return {}; }
}
const canEdit = () => claims().role === "msp_admin";
const canList = () => ["msp_admin", "msp_viewer"].includes(claims().role);
// Where a caller starts: the list for MSP staff, its own customer for a customer_viewer.
const home = () => (canList() ? "#/customers" : `#/customers/${encodeURIComponent(claims().customer_id || "")}/summary`);

function showWho() {
  const who = document.getElementById("who");
  const signOut = document.getElementById("sign-out");
  if (token()) {
    const c = claims();
    who.textContent = `${c.sub || "?"} (${c.role || "?"})`;
    signOut.hidden = false;
    document.querySelector(".brand").setAttribute("href", home());
  } else {
    who.textContent = "";
    signOut.hidden = true;
  }
}
document.getElementById("sign-out").addEventListener("click", () => {
  sessionStorage.removeItem(TOKEN_KEY);
  route();
});

function signIn(message = "") {
  view.replaceChildren(document.getElementById("sign-in").content.cloneNode(true));
  document.getElementById("sign-in-error").textContent = message;
  document.getElementById("sign-in-form").addEventListener("submit", (e) => {
    e.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, document.getElementById("token").value.trim());
    location.hash = home();
    route();
  });
}

// ---------- API ----------
class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

// A refused or expired token: a dialog asks for a new one over the page, so a form being
// filled in is not lost; the request is then sent again. Signing out leaves the page.
function askForToken() {
  const dialog = document.getElementById("resign-in");
  const field = document.getElementById("resign-token");
  field.value = "";
  return new Promise((resolve) => {
    const done = (value) => { dialog.close(); resolve(value); };
    document.getElementById("resign-in-form").onsubmit = (e) => { e.preventDefault(); done(field.value.trim()); };
    document.getElementById("resign-cancel").onclick = () => done("");
    dialog.showModal();
    field.focus();
  });
}

// One request to the API with the caller's token (asked for again once if refused).
async function send(method, path, body, headers = {}, retried = false) {
  const answer = await fetch(`/api/v1${path}`, {
    method,
    headers: { Authorization: `Bearer ${token()}`, ...(body ? { "Content-Type": "application/json" } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (answer.status !== 401) return answer;
  const fresh = retried ? "" : await askForToken();
  if (fresh) {
    sessionStorage.setItem(TOKEN_KEY, fresh);
    showWho();
    return send(method, path, body, headers, true);
  }
  sessionStorage.removeItem(TOKEN_KEY);
  signIn("Your token was refused or has expired; paste a new one.");
  throw new ApiError(401, {});
}

// A CSV export, saved as a file; what went wrong is said in `notice`.
async function download(path, filename, button, notice) {
  button.disabled = true;
  notice.textContent = "";
  try {
    const answer = await send("GET", path);
    if (!answer.ok) throw new ApiError(answer.status, await answer.json().catch(() => ({})));
    const link = h("a", { href: URL.createObjectURL(await answer.blob()), download: filename });
    document.body.append(link);
    link.click();
    link.remove();
  } catch (error) {
    if (error.status !== 401) notice.textContent = error.message;
  } finally { button.disabled = false; }
}

async function api(method, path, body, headers = {}) {
  const answer = await send(method, path, body, headers);
  const payload = answer.status === 204 ? null : await answer.json().catch(() => ({}));
  if (!answer.ok) throw new ApiError(answer.status, payload || {});
  return { body: payload, etag: answer.headers.get("ETag") };
}

function failure(error) {
  if (error.status === 401) return;
  view.replaceChildren(h("section", { class: "card" }, h("h1", {}, "Something went wrong"),
    h("p", { class: "error" }, error.message), canList() ? h("p", {}, h("a", { href: "#/customers" }, "Back to customers")) : null));
}

// What stays on the page while a fetch runs.
function loading(what) {
  view.replaceChildren(h("p", { class: "loading", role: "status" }, `Loading ${what}…`));
}

// ---------- customers list ----------
// The plan's badges: expiry within 30 days, credits of the last 90 days over 80 % / 100 % of the quota.
function planBadges(c) {
  const shown = {
    expired: ["critical", "Expired"],
    expires_soon: ["warning", daysUntil(c.expiry_date) > 0 ? `Expires in ${daysUntil(c.expiry_date)} d` : "Expires today"],
    credits_over_100: ["critical", "Credits over quota"],
    credits_over_80: ["warning", `Credits ${Math.round((c.quota_used || 0) * 100)} %`],
  };
  const badges = (c.plan_badges || []).filter((b) => shown[b]).map((b) => h("span", { class: `badge ${shown[b][0]}` }, shown[b][1]));
  return badges.length ? badges : h("span", { class: "muted" }, "—");
}

const listState = { q: "", cursors: [null] };

async function customersList() {
  const exportNotice = h("span", { class: "inline-notice", role: "alert" });
  const exportButton = h("span", {}, h("button", { class: "secondary", onclick: (e) =>
    download(`/customers.csv${listState.q ? `?q=${encodeURIComponent(listState.q)}` : ""}`, "customers.csv", e.currentTarget, exportNotice) }, "Export CSV"), " ", exportNotice);
  const search = h("input", { type: "search", placeholder: "Search account or customer name", value: listState.q, "aria-label": "Search customers" });
  const body = h("tbody");
  const prev = h("button", { class: "secondary", disabled: listState.cursors.length < 2 }, "Previous");
  const next = h("button", { class: "secondary", disabled: true }, "Next");
  view.replaceChildren(
    h("h1", {}, "Customers"),
    h("div", { class: "toolbar" }, search,
      canEdit() ? h("button", { id: "add-customer", onclick: () => addCustomer() }, "Add customer") : null,
      exportButton),
    h("table", { id: "customers" },
      h("thead", {}, h("tr", {}, ["Account", "Customer", "Plan", "Edition", "Region", "Expires", "Plan health", "SLA health"].map((c) => h("th", {}, c)))),
      body),
    h("div", { class: "pager" }, prev, next));
  let timer;
  search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => { listState.q = search.value.trim(); listState.cursors = [null]; customersList(); }, 250);
  });
  prev.addEventListener("click", () => { listState.cursors.pop(); customersList(); });
  const params = new URLSearchParams({ limit: "20" });
  if (listState.q) params.set("q", listState.q);
  const cursor = listState.cursors[listState.cursors.length - 1];
  if (cursor) params.set("cursor", cursor);
  body.replaceChildren(h("tr", {}, h("td", { colspan: 8, class: "loading" }, "Loading customers…")));
  try {
    const { body: page } = await api("GET", `/customers?${params}`);
    body.replaceChildren(...page.items.map((c) => h("tr", { class: "clickable", "data-id": c.id, onclick: () => { location.hash = `#/customers/${c.id}/summary`; } },
      h("td", {}, h("a", { href: `#/customers/${c.id}/summary` }, c.name)), h("td", {}, text(c.customer_name)),
      h("td", {}, text(c.plan)), h("td", {}, labelOf("edition", c.edition)), h("td", {}, text(c.storage_region)),
      h("td", { class: "nowrap" }, text(c.expiry_date)), h("td", { class: "plan-health" }, planBadges(c)), h("td", {}, badge(c.sla_health)))));
    if (!page.items.length) body.replaceChildren(h("tr", {}, h("td", { colspan: 8, class: "muted" }, "No customers match.")));
    next.disabled = !page.next_cursor;
    next.addEventListener("click", () => { listState.cursors.push(page.next_cursor); customersList(); });
  } catch (error) { failure(error); }
  search.focus();
}

// A new customer: the API's rules answer for the fields, each error under its field; on
// success the list says so with a link to the new customer.
async function addCustomer() {
  let regions = [];
  try { regions = (await api("GET", "/storage-regions")).body.items; } catch (error) { return failure(error); }
  const fields = [
    ["account.name", "Account name", "text"], ["account.customer_name", "Customer name", "text"],
    ["account.phone", "Phone (E.164)", "tel"], ["service_plan.plan", "Plan", "text"],
    ["service_plan.storage_region", "Storage region", regions.map((r) => [r, r])],
    ["service_plan.tenant_type", "Tenant type", choices("tenant_type")],
    ["service_plan.edition", "Edition", choices("edition")],
    ["service_plan.expiry_date", "Expiry date", "date"], ["service_plan.credit_quota", "Credit quota", "number"],
  ];
  const inputs = {};
  const errors = {};
  const rows = fields.map(([name, label, kind]) => {
    const inputId = `new-${name.replace(".", "-")}`;
    inputs[name] = Array.isArray(kind)
      ? h("select", { id: inputId, name }, kind.map(([value, shown]) => h("option", { value }, shown)))
      : h("input", { id: inputId, name, type: kind });
    errors[name] = h("p", { class: "field-error", id: `${inputId}-error`, role: "alert" });
    return [h("label", { for: inputId }, label), inputs[name], errors[name]];
  });
  const formError = h("p", { class: "error", role: "alert" });
  const create = h("button", { type: "submit" }, "Create customer");
  const form = h("form", { id: "new-customer", novalidate: true }, rows, formError,
    h("div", { class: "actions" }, create, h("button", { type: "button", class: "secondary", onclick: () => customersList() }, "Cancel")));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    Object.values(errors).forEach((el) => { el.textContent = ""; });
    formError.textContent = "";
    const body = { account: {}, service_plan: {}, contacts: [] };
    for (const [name, , kind] of fields) {
      const [part, field] = name.split(".");
      const raw = inputs[name].value.trim();
      if (raw !== "") body[part][field] = kind === "number" ? Number(raw) : raw;
    }
    create.disabled = true;
    try {
      const { body: created } = await api("POST", "/customers", body);
      listState.q = ""; listState.cursors = [null];
      await customersList();
      view.prepend(h("p", { class: "notice", role: "status", id: "flash" }, `Customer ${created.account.name} created: `,
        h("a", { href: `#/customers/${created.id}/summary` }, "open it")));
    } catch (error) {
      create.disabled = false;
      showProblem(error, errors, formError, "");
    }
  });
  view.replaceChildren(h("p", {}, h("a", { href: "#/customers", onclick: () => customersList() }, "← Customers")),
    h("h1", {}, "Add customer"), h("section", { class: "card" }, form));
  inputs["account.name"].focus();
}

// ---------- customer details ----------
async function customerDetails(id, tab, window, table = {}, severity = "") {
  loading("the customer");
  try {
    const { body: details, etag } = await api("GET", `/customers/${id}/details?window=${window}`);
    // The regions a plan may name, for the plan's editor (only an msp_admin edits).
    const regions = canEdit() ? (await api("GET", "/storage-regions")).body.items : [];
    const state = { id, etag, details, window, regions, table, severity };
    const tabs = h("nav", { class: "tabs" },
      h("a", { href: `#/customers/${id}/summary`, class: tab === "summary" ? "active" : "" }, "Summary"),
      h("a", { href: `#/customers/${id}/sla?window=${window}`, class: tab === "sla" ? "active" : "" }, "SLA"));
    const deleteNotice = h("span", { class: "inline-notice", role: "alert" });
    const deleteButton = canEdit() ? h("button", { class: "danger" }, "Delete customer") : null;
    deleteButton?.addEventListener("click", () => deleteCustomer(state, deleteButton, deleteNotice));
    const title = h("div", { class: "toolbar" }, h("h1", {}, details.summary.account.name), deleteButton, deleteNotice);
    const banner = details.partial ? h("p", { class: "banner", role: "status" }, "SLA figures are unavailable right now; the summary is current.") : null;
    view.replaceChildren(...[canList() ? h("p", {}, h("a", { href: "#/customers" }, "← Customers")) : null, title, banner, tabs,
      tab === "summary" ? summaryTab(state) : slaTab(state)].filter(Boolean));
  } catch (error) { failure(error); }
}

async function deleteCustomer(state, button, notice) {
  if (!confirm(`Delete ${state.details.summary.account.name}? This removes its contacts, usage and SLA data.`)) return;
  button.disabled = true;
  try {
    await api("DELETE", `/customers/${state.id}`, null, { "If-Match": state.etag });
    location.hash = "#/customers";
  } catch (error) {
    button.disabled = false;
    if (error.status === 412) return route(STALE);
    notice.textContent = error.message;
  }
}

// Summary tab
function summaryTab(state) {
  const { account, service_plan: plan, consumption, contacts } = state.details.summary;
  return h("div", { class: "grid" },
    editableCard(state, "Account Details", "account", "account", [
      ["name", "Account name", account.name], ["customer_name", "Customer name", account.customer_name],
      ["address", "Address", account.address], ["phone", "Phone (E.164)", account.phone, "tel"],
    ]),
    editableCard(state, "Service Plan", "service-plan", "service_plan", [
      ["plan", "Plan", plan.plan],
      ["edition", "Edition", plan.edition, choices("edition"), labelOf("edition", plan.edition)],
      ["tenant_type", "Tenant type", plan.tenant_type, choices("tenant_type"), labelOf("tenant_type", plan.tenant_type)],
      ["storage_region", "Storage region", plan.storage_region, regionChoices(state.regions, plan.storage_region)],
      ["expiry_date", "Expiry date", plan.expiry_date, "date", `${text(plan.expiry_date)}${expiryNote(plan.expiry_date)}`],
      ["credit_quota", "Credit quota", plan.credit_quota, "number",
        plan.credit_quota === null ? text(null) : `${plan.credit_quota.toLocaleString()}${quotaNote(plan.credit_quota, consumption.credits_consumed)}`],
      ["credit_quota_effective_date", "Credit quota effective", plan.credit_quota_effective_date, "date"],
    ]),
    consumptionCard(consumption, plan.credit_quota),
    contactsCard(state, contacts),
    canList() ? activityCard(state) : null);
}

// The audit trail, newest first, a page at a time (MSP staff only: it names who changed what).
const ACTIONS = {
  created: "Created the customer", account_updated: "Edited the account", service_plan_updated: "Edited the service plan",
  contact_added: "Added a contact", contact_updated: "Edited a contact", contact_deleted: "Deleted a contact", deleted: "Deleted the customer",
};
const shownValue = (value) => (value === null || value === undefined ? "(none)" : String(value));
function activityCard(state) {
  const body = h("tbody", {}, h("tr", {}, h("td", { colspan: 3, class: "loading" }, "Loading activity…")));
  const notice = h("span", { class: "inline-notice", role: "alert" });
  const older = h("button", { class: "secondary", hidden: true }, "Older changes");
  let cursor = null;
  let first = true;
  const load = async () => {
    older.disabled = true;
    notice.textContent = "";
    try {
      const params = new URLSearchParams({ limit: "10" });
      if (cursor) params.set("cursor", cursor);
      const { body: page } = await api("GET", `/customers/${encodeURIComponent(state.id)}/activity?${params}`);
      const rows = page.items.map((entry) => h("tr", { "data-version": entry.version },
        h("td", {}, when(entry.at)), h("td", {}, text(entry.actor, "unknown")),
        h("td", {}, h("div", {}, ACTIONS[entry.action] || entry.action),
          entry.changes.length ? h("ul", { class: "changes" }, entry.changes.map((c) =>
            h("li", {}, h("code", {}, c.field), `: ${shownValue(c.old)} → ${shownValue(c.new)}`))) : null)));
      if (first) body.replaceChildren(...rows);
      else body.append(...rows);
      if (first && !rows.length) body.replaceChildren(h("tr", {}, h("td", { colspan: 3, class: "muted" }, "No changes recorded.")));
      first = false;
      cursor = page.next_cursor;
      older.hidden = !cursor;
    } catch (error) {
      if (error.status !== 401) notice.textContent = `${error.message}; try again.`;
      if (first) body.replaceChildren();
    } finally { older.disabled = false; }
  };
  older.addEventListener("click", load);
  load();
  return h("section", { class: "card", id: "card-activity" }, h("h2", {}, "Activity"),
    h("table", {}, h("thead", {}, h("tr", {}, ["When", "Who", "What changed"].map((t) => h("th", {}, t)))), body),
    h("div", { class: "pager" }, notice, older));
}

// The regions the API publishes, as choices; a plan's region no longer offered stays shown.
function regionChoices(regions, current) {
  const offered = current && !regions.includes(current) ? [current, ...regions] : regions;
  return offered.map((region) => [region, region]);
}

// fields: [name, label, value, kind, shown]: kind is an input type or a list of
// [value, label] choices; shown is what the card displays (the value by default).
function editableCard(state, title, path, prefix, fields) {
  const card = h("section", { class: "card", id: `card-${path}` });
  const notice = h("p", { class: "notice", role: "status" });
  const show = () => card.replaceChildren(
    h("header", {}, h("h2", {}, title), canEdit() ? h("button", { class: "secondary", onclick: edit }, "Edit") : null),
    h("dl", {}, fields.map(([, label, value, , shown]) => [h("dt", {}, label), h("dd", {}, shown ?? text(value))])), notice);
  const edit = () => {
    const inputs = {};
    const errors = {};
    const rows = fields.map(([name, label, value, kind]) => {
      const inputId = `${path}-${name}`;
      inputs[name] = Array.isArray(kind)
        ? h("select", { id: inputId, name }, kind.map(([option, shown]) => h("option", { value: option, selected: option === value }, shown)))
        : h("input", { id: inputId, name, type: kind || "text", value: value ?? "" });
      errors[name] = h("p", { class: "field-error", id: `${inputId}-error`, role: "alert" });
      return [h("label", { for: inputId }, label), inputs[name], errors[name]];
    });
    const formError = h("p", { class: "error", role: "alert" });
    const save = h("button", { type: "submit" }, "Save");
    const form = h("form", {}, rows, formError,
      h("div", { class: "actions" }, save, h("button", { type: "button", class: "secondary", onclick: show }, "Cancel")));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      Object.values(errors).forEach((el) => { el.textContent = ""; });
      formError.textContent = "";
      const change = {};
      for (const [name, , value, kind] of fields) {
        let next = inputs[name].value.trim();
        if (kind === "number") next = next === "" ? null : Number(next);
        else if (next === "") next = null;
        if (next !== (value ?? null)) change[name] = next;
      }
      save.disabled = true;
      try {
        await api("PATCH", `/customers/${state.id}/${path}`, change, { "If-Match": state.etag });
        route(`${title} saved.`);
      } catch (error) {
        save.disabled = false;
        showProblem(error, errors, formError, prefix);
      }
    });
    card.replaceChildren(h("h2", {}, `Edit ${title}`), form);
    inputs[fields[0][0]].focus();
  };
  show();
  return card;
}

const STALE = "Someone else changed this customer meanwhile: these are the current values. Make your change again.";

function showProblem(error, fieldErrors, formError, prefix) {
  if (error.status === 401) return;
  if (error.status === 412) return route(STALE);
  let placed = false;
  for (const { field, message } of error.problem.errors || []) {
    const name = field.startsWith(`${prefix}.`) ? field.slice(prefix.length + 1) : field;
    if (fieldErrors[name]) { fieldErrors[name].textContent = message; placed = true; }
  }
  if (!placed) formError.textContent = error.message;
}

// The last 90 days: credits per day as bars against the quota spread over the 90 days as a
// line (left axis, credits a day), storage in use as a line (right axis, bytes); the same
// figures in a table below.
function consumptionCard(consumption, quota) {
  const days = [...consumption.daily].sort((a, b) => a.date.localeCompare(b.date));
  const W = 640, H = 232, left = 56, right = 64, top = 26, bottom = 28;
  const plotW = W - left - right, plotH = H - top - bottom;
  const start = Date.now() - 89 * 86400000;
  const x = (date) => left + (Math.max(0, Math.min(89, Math.round((Date.parse(`${date}T12:00:00Z`) - start) / 86400000))) + 0.5) * (plotW / 90);
  let running = 0;
  const totals = days.map((d) => (running += d.credits_consumed));
  const perDay = quota ? quota / consumption.window_days : 0;  // the quota's daily share
  const creditMax = Math.max(1, ...days.map((d) => d.credits_consumed), perDay) * 1.1;
  const bytesMax = Math.max(1, ...days.map((d) => d.storage_bytes));
  const yc = (v) => top + plotH - (v / creditMax) * plotH;
  const yb = (v) => top + plotH - (v / bytesMax) * plotH;
  const NS = "http://www.w3.org/2000/svg";
  const el = (tag, attrs, content) => {
    const node = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    if (content !== undefined) node.textContent = content;
    return node;
  };
  const svg = el("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart", role: "img",
    "aria-label": "Credits and storage in use over the last 90 days; the table below has the same figures" });
  svg.append(el("line", { x1: left, y1: top + plotH, x2: left + plotW, y2: top + plotH, class: "axis" }),
    el("line", { x1: left, y1: top, x2: left, y2: top + plotH, class: "axis" }),
    el("line", { x1: left + plotW, y1: top, x2: left + plotW, y2: top + plotH, class: "axis" }));
  for (const fraction of [0, 0.5, 1]) {
    svg.append(el("text", { x: left - 6, y: yc(creditMax * fraction) + 4, class: "tick", "text-anchor": "end" }, (creditMax * fraction).toFixed(creditMax < 10 ? 1 : 0)),
      el("text", { x: left + plotW + 6, y: yb(bytesMax * fraction) + 4, class: "tick" }, formatBytes(bytesMax * fraction)));
  }
  for (const ago of [89, 60, 30, 0]) {
    const date = new Date(Date.now() - ago * 86400000).toISOString().slice(0, 10);
    svg.append(el("text", { x: x(date), y: H - 8, class: "tick", "text-anchor": "middle" }, date.slice(5)));
  }
  svg.append(el("text", { x: 4, y: 12, class: "tick" }, "credits/day"), el("text", { x: W - 4, y: 12, class: "tick", "text-anchor": "end" }, "storage"));
  const barW = Math.max(1, plotW / 90 - 1);
  for (const d of days) {
    const bar = el("rect", { x: x(d.date) - barW / 2, y: yc(d.credits_consumed), width: barW, height: top + plotH - yc(d.credits_consumed), class: "credits" });
    bar.append(el("title", {}, `${d.date}: ${d.credits_consumed} credits, ${formatBytes(d.storage_bytes)} stored`));
    svg.append(bar);
  }
  if (days.length) {
    svg.append(el("polyline", { points: days.map((d) => `${x(d.date)},${yb(d.storage_bytes)}`).join(" "), class: "storage" }));
  }
  if (perDay) svg.append(el("line", { x1: left, y1: yc(perDay), x2: left + plotW, y2: yc(perDay), class: "quota" }));
  const legend = h("ul", { class: "legend" }, h("li", { class: "credits" }, "Credits per day"),
    perDay ? h("li", { class: "quota" }, `Credit quota per day (${quota.toLocaleString()} over ${consumption.window_days} days)`) : null,
    h("li", { class: "storage" }, "Storage in use"));
  const table = h("details", {}, h("summary", {}, "Figures by day"),
    h("table", { id: "usage-table" }, h("thead", {}, h("tr", {}, ["Day", "Credits", "Credits so far", "Storage in use"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, days.map((d, i) => h("tr", {}, h("td", {}, d.date), h("td", {}, d.credits_consumed.toLocaleString()),
        h("td", {}, totals[i].toLocaleString()), h("td", {}, formatBytes(d.storage_bytes)))))));
  return h("section", { class: "card", id: "card-consumption" },
    h("h2", {}, "Credits and Storage Consumption"),
    h("dl", {}, h("dt", {}, `Credits (last ${consumption.window_days} days)`), h("dd", {}, consumption.credits_consumed.toLocaleString()),
      h("dt", {}, "Storage in use"), h("dd", {}, formatBytes(consumption.storage_consumed_bytes))),
    days.length ? [svg, legend, table] : h("p", { class: "muted" }, "No usage reported in the last 90 days."));
}

function formatBytes(bytes) {
  const units = ["B", "KB", "MB", "GB", "TB", "PB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) { value /= 1000; unit += 1; }
  return `${value.toFixed(unit ? 1 : 0)} ${units[unit]}`;
}

function contactsCard(state, contacts) {
  const contactsNotice = h("p", { class: "inline-notice", role: "alert" });
  const rows = contacts.map((c) => {
    const row = h("tr", { "data-contact": c.id },
      h("td", {}, c.name), h("td", {}, c.email), h("td", {}, text(c.phone)),
      h("td", {}, canEdit() ? [h("button", { class: "secondary", onclick: () => editContact(state, c, row) }, "Edit"), " ",
        h("button", { class: "danger", onclick: () => removeContact(state, c, contactsNotice) }, "Delete")] : null));
    return row;
  });
  const card = h("section", { class: "card", id: "card-contacts" }, h("h2", {}, "Contact Details"), contactsNotice,
    h("table", {}, h("thead", {}, h("tr", {}, ["Name", "Email", "Phone", ""].map((t) => h("th", {}, t)))),
      h("tbody", {}, rows.length ? rows : h("tr", {}, h("td", { colspan: 4, class: "muted" }, "No contacts yet.")))));
  if (!canEdit()) return card;
  const inputs = {};
  const errors = {};
  const cells = [["name", "Name"], ["email", "Email"], ["phone", "Phone (E.164)"]].map(([name, label]) => {
    inputs[name] = h("input", { id: `contact-${name}`, name, type: name === "email" ? "email" : "text", "aria-label": label, placeholder: label });
    errors[name] = h("p", { class: "field-error", id: `contact-${name}-error`, role: "alert" });
    return h("div", {}, inputs[name], errors[name]);
  });
  const formError = h("p", { class: "error", role: "alert" });
  const add = h("button", { type: "submit" }, "Add contact");
  const form = h("form", { class: "inline-form", novalidate: true }, cells, add);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    Object.values(errors).forEach((el) => { el.textContent = ""; });
    const contact = {};
    for (const [name, input] of Object.entries(inputs)) if (input.value.trim()) contact[name] = input.value.trim();
    add.disabled = true;
    try {
      await api("POST", `/customers/${state.id}/contacts`, contact, { "If-Match": state.etag });
      route("Contact added.");
    } catch (error) {
      add.disabled = false;
      showProblem(error, errors, formError, "contact");
    }
  });
  card.append(form, formError);
  return card;
}

// A contact's row becomes its form; errors show under the field they are about.
function editContact(state, contact, row) {
  const inputs = {};
  const errors = {};
  const cells = [["name", "Name"], ["email", "Email"], ["phone", "Phone (E.164)"]].map(([name, label]) => {
    const inputId = `contact-${contact.id}-${name}`;
    inputs[name] = h("input", { id: inputId, name, type: name === "email" ? "email" : "text", "aria-label": label, value: contact[name] ?? "" });
    errors[name] = h("p", { class: "field-error", id: `${inputId}-error`, role: "alert" });
    return h("td", {}, inputs[name], errors[name]);
  });
  const formError = h("p", { class: "error", role: "alert" });
  const save = h("button", { type: "button" }, "Save");
  const editor = h("tr", { "data-contact": contact.id, class: "editing" }, cells,
    h("td", {}, save, " ", h("button", { type: "button", class: "secondary", onclick: () => editor.replaceWith(row) }, "Cancel"), formError));
  save.addEventListener("click", async () => {
    Object.values(errors).forEach((el) => { el.textContent = ""; });
    formError.textContent = "";
    const change = {};
    for (const [name, input] of Object.entries(inputs)) {
      const next = input.value.trim() || null;
      if (next !== (contact[name] ?? null)) change[name] = next;
    }
    save.disabled = true;
    try {
      await api("PATCH", `/customers/${state.id}/contacts/${contact.id}`, change, { "If-Match": state.etag });
      route("Contact saved.");
    } catch (error) {
      save.disabled = false;
      showProblem(error, errors, formError, "contact");
    }
  });
  row.replaceWith(editor);
  inputs.name.focus();
}

async function removeContact(state, contact, notice) {
  if (!confirm(`Delete the contact ${contact.name}?`)) return;
  try {
    await api("DELETE", `/customers/${state.id}/contacts/${contact.id}`, null, { "If-Match": state.etag });
    route("Contact deleted.");
  } catch (error) {
    if (error.status === 412) return route(STALE);
    if (error.status !== 401) notice.textContent = error.message;
  }
}

// SLA tab
// The tab's window, the set table's order and filter and the alerts' severity live in the
// address, so a reload (or a link) keeps them.
function slaHash(state, change = {}) {
  const all = { window: state.window, ...state.table, severity: state.severity, ...change };
  return `#/customers/${state.id}/sla?${new URLSearchParams(Object.fromEntries(Object.entries(all).filter(([, v]) => v)))}`;
}

function slaTab(state) {
  const sla = state.details.sla;
  const switcher = h("div", { class: "switch", role: "group", "aria-label": "Window" }, ["24h", "7d", "30d"].map((w) =>
    h("button", { class: w === state.window ? "active" : "", onclick: () => { location.hash = slaHash(state, { window: w }); } }, w)));
  if (!sla) return h("section", {}, h("div", { class: "toolbar" }, switcher), h("p", { class: "muted" }, "No SLA figures right now."));
  const jobs = (title, j) => h("section", { class: "card stat" }, h("h2", {}, title),
    h("div", { class: "big" }, j.success_rate === null ? "—" : `${(j.success_rate * 100).toFixed(1)} %`),
    h("div", { class: "muted" }, "success rate"),
    h("ul", {}, h("li", {}, `${j.total} finished`), h("li", {}, `${j.successful} successful`),
      h("li", {}, `${j.successful_with_errors} with errors`), h("li", {}, `${j.failed} failed`), h("li", {}, `${j.canceled} canceled`)));
  const alerts = h("section", { class: "card stat" }, h("h2", {}, "Alerts"),
    h("div", { class: "big" }, sla.alerts.open.critical + sla.alerts.open.warning + sla.alerts.open.info), h("div", { class: "muted" }, "open"),
    h("ul", {}, ["critical", "warning", "info"].map((s) => h("li", {}, `${s}: ${sla.alerts.open[s]} open (${(sla.alerts.acknowledged || {})[s] || 0} acknowledged), ${sla.alerts.raised_in_window[s]} raised in ${sla.window}`))));
  const body = h("tbody");
  const more = h("button", { class: "secondary", hidden: true }, "More backup sets");
  const table = state.table || {};
  const sortSelect = h("select", { id: "set-sort", "aria-label": "Sort backup sets" },
    [["", "By set id"], ["rpo_status", "RPO status (most at risk first)"], ["last_successful_backup_at", "Last successful backup (oldest first)"],
      ["-last_successful_backup_at", "Last successful backup (newest first)"], ["name", "Name (A-Z)"], ["-name", "Name (Z-A)"]]
      .map(([v, l]) => h("option", { value: v, selected: (table.sort || "") === v }, l)));
  const statusSelect = h("select", { id: "set-filter", "aria-label": "Show backup sets" },
    [["", "All sets"], ["breached", "RPO breached"], ["never", "Never backed up"], ["ok", "Within RPO"]]
      .map(([v, l]) => h("option", { value: v, selected: (table.rpo_status || "") === v }, l)));
  sortSelect.addEventListener("change", () => { location.hash = slaHash(state, { sort: sortSelect.value }); });
  statusSelect.addEventListener("change", () => { location.hash = slaHash(state, { rpo_status: statusSelect.value }); });
  const addRows = (items) => body.append(...items.map((s) => h("tr", { "data-set": s.backup_set_id },
    h("td", {}, h("span", { class: "set-name" }, text(s.name, s.backup_set_id)), " ", h("button", { class: "link history", "aria-expanded": "false",
      "aria-label": `Job history of ${text(s.name, s.backup_set_id)}`, onclick: (e) => toggleHistory(state, s, e.currentTarget) }, "History")), h("td", {}, text(s.workload)), h("td", {}, `${s.rpo_hours} h`),
    h("td", {}, badge(s.rpo_status)), h("td", {}, when(s.last_successful_backup_at)),
    h("td", {}, s.last_backup ? [badge(s.last_backup.status), " ", when(s.last_backup.started_at)] : "—"),
    h("td", {}, s.last_restore ? [badge(s.last_restore.status), " ", when(s.last_restore.started_at)] : "—"),
    h("td", { class: "failure" }, s.last_failure ? [h("strong", {}, text(s.last_failure.error_code, "failed")), ": ",
      text(s.last_failure.error_message, "no message"), h("div", { class: "muted" }, when(s.last_failure.ended_at))] : "—"),
    h("td", {}, String(s.open_alerts)))));
  let cursor = null;
  const moreNotice = h("span", { class: "inline-notice", role: "alert" });
  const exportNotice = h("span", { class: "inline-notice", role: "alert" });
  const showPage = (sets) => {
    addRows(sets.items);
    if (!body.children.length) body.append(h("tr", {}, h("td", { colspan: 9, class: "muted" }, "No backup sets match.")));
    cursor = sets.next_cursor;
    more.hidden = !cursor;
  };
  const loadMore = async () => {
    more.disabled = true;
    moreNotice.textContent = "";
    try {
      const params = new URLSearchParams({ window: state.window, ...Object.fromEntries(Object.entries(table).filter(([, v]) => v)) });
      if (cursor) params.set("cursor", cursor);
      const { body: page } = await api("GET", `/customers/${encodeURIComponent(state.id)}/sla?${params}`);
      body.querySelector("td.loading")?.closest("tr").remove();
      showPage(page.backup_sets);
    } catch (error) {
      if (error.status !== 401) moreNotice.textContent = `${error.message}; try again.`;
    } finally { more.disabled = false; }
  };
  more.addEventListener("click", loadMore);
  if (table.sort || table.rpo_status) {  // another order than the details view's: ask for it
    body.append(h("tr", {}, h("td", { colspan: 9, class: "loading" }, "Loading backup sets…")));
    loadMore();
  } else showPage(sla.backup_sets);
  return h("div", {},
    h("div", { class: "toolbar" }, switcher, h("span", { class: "muted" }, `as of ${when(sla.as_of)}`)),
    h("div", { class: "stats" }, jobs("Backup jobs", sla.backup_jobs), jobs("Restore jobs", sla.restore_jobs), alerts),
    alertsCard(state),
    h("section", { class: "card" }, h("header", {}, h("h2", {}, `Backup sets (${sla.backup_sets.total}: ${sla.backup_sets.rpo_breached} RPO breached, ${sla.backup_sets.never_backed_up} never backed up)`),
      h("span", {}, exportNotice, " ", h("button", { class: "secondary", onclick: (e) =>
        download(`/customers/${encodeURIComponent(state.id)}/backup-sets.csv?window=${state.window}`, `backup-sets-${state.id}.csv`, e.currentTarget, exportNotice) }, "Export CSV"))),
      h("div", { class: "toolbar" }, sortSelect, statusSelect),
      h("table", { id: "backup-sets" }, h("thead", {}, h("tr", {}, ["Backup set", "Workload", "RPO", "RPO status", "Last successful backup", "Last backup", "Last restore", "Last failure", "Open alerts"].map((t) => h("th", {}, t)))), body),
      h("div", { class: "pager" }, moreNotice, more)));
}

// A set's latest 20 jobs, in a row opened under the set's own.
async function toggleHistory(state, set, button) {
  const row = button.closest("tr");
  const open = row.nextElementSibling?.classList.contains("job-history") ? row.nextElementSibling : null;
  if (open) { open.remove(); button.setAttribute("aria-expanded", "false"); return; }
  const cell = h("td", { colspan: 9 }, h("p", { class: "loading", role: "status" }, "Loading jobs…"));
  row.after(h("tr", { class: "job-history", "data-history": set.backup_set_id }, cell));
  button.setAttribute("aria-expanded", "true");
  try {
    const params = new URLSearchParams({ backup_set_id: set.backup_set_id });
    const { body: history } = await api("GET", `/customers/${encodeURIComponent(state.id)}/jobs?${params}`);
    cell.replaceChildren(history.items.length ? h("table", { class: "jobs" },
      h("caption", {}, `Latest jobs of ${text(set.name, set.backup_set_id)}`),
      h("thead", {}, h("tr", {}, ["Job", "Type", "Status", "Started", "Ended", "Transferred", "Error"].map((t) => h("th", {}, t)))),
      h("tbody", {}, history.items.map((j) => h("tr", { "data-job": j.job_id }, h("td", {}, j.job_id), h("td", {}, j.job_type),
        h("td", {}, badge(j.status)), h("td", {}, when(j.started_at)), h("td", {}, when(j.ended_at)),
        h("td", {}, formatBytes(j.bytes_transferred)),
        h("td", { class: "failure" }, j.error_code || j.error_message ? `${text(j.error_code, "")} ${text(j.error_message, "")}`.trim() : "—")))))
      : h("p", { class: "muted" }, "No jobs yet."));
  } catch (error) {
    if (error.status !== 401) cell.replaceChildren(h("p", { class: "inline-notice", role: "alert" }, `${error.message}; try again.`));
  }
}

// The open alerts, newest first, a page at a time, filtered by severity; an msp_admin
// acknowledges one (it stays open until cleared; who and when are shown).
function alertsCard(state) {
  const body = h("tbody");
  const notice = h("span", { class: "inline-notice", role: "alert" });
  const more = h("button", { class: "secondary", hidden: true }, "More alerts");
  const filter = h("select", { id: "alert-severity", "aria-label": "Severity" },
    [["", "All severities"], ["critical", "Critical"], ["warning", "Warning"], ["info", "Info"]]
      .map(([v, l]) => h("option", { value: v, selected: (state.severity || "") === v }, l)));
  let cursor = null;
  const acknowledged = (ack) => h("span", { class: "muted" }, `Acknowledged by ${ack.by}, ${when(ack.at)}`);
  const row = (a) => {
    const cell = h("td", {}, a.acknowledged ? acknowledged(a.acknowledged) : null);
    if (!a.acknowledged && canEdit()) {
      const button = h("button", { class: "secondary" }, "Acknowledge");
      button.addEventListener("click", async () => {
        button.disabled = true;
        notice.textContent = "";
        try {
          const { body: done } = await api("POST", `/customers/${encodeURIComponent(state.id)}/alerts/acknowledgements`, { alert_id: a.alert_id });
          cell.replaceChildren(acknowledged(done.acknowledged));
        } catch (error) {
          button.disabled = false;
          if (error.status !== 401) notice.textContent = `${error.message}`;
        }
      });
      cell.append(button);
    }
    return h("tr", { "data-alert": a.alert_id }, h("td", {}, badge(a.severity)), h("td", {}, text(a.alert_type)),
      h("td", {}, text(a.message)), h("td", {}, text(a.backup_set_id)), h("td", {}, when(a.raised_at)), cell);
  };
  const load = async (fresh) => {
    more.disabled = true;
    notice.textContent = "";
    if (fresh) { cursor = null; body.replaceChildren(h("tr", {}, h("td", { colspan: 6, class: "loading" }, "Loading alerts…"))); }
    try {
      const params = new URLSearchParams({ limit: "20" });
      if (filter.value) params.set("severity", filter.value);
      if (cursor) params.set("cursor", cursor);
      const { body: page } = await api("GET", `/customers/${encodeURIComponent(state.id)}/alerts?${params}`);
      if (fresh) body.replaceChildren();
      body.append(...page.items.map(row));
      if (fresh && !page.items.length) body.replaceChildren(h("tr", {}, h("td", { colspan: 6, class: "muted" }, "No open alerts.")));
      cursor = page.next_cursor;
      more.hidden = !cursor;
    } catch (error) {
      if (fresh) body.replaceChildren();
      if (error.status !== 401) notice.textContent = `${error.message}; try again.`;
    } finally { more.disabled = false; }
  };
  filter.addEventListener("change", () => { location.hash = slaHash(state, { severity: filter.value }); });
  more.addEventListener("click", () => load(false));
  load(true);
  return h("section", { class: "card", id: "card-alerts" },
    h("header", {}, h("h2", {}, "Open alerts"), filter),
    h("table", { id: "alerts" }, h("thead", {}, h("tr", {}, ["Severity", "Type", "Message", "Backup set", "Raised", "Acknowledged"].map((t) => h("th", {}, t)))), body),
    h("div", { class: "pager" }, notice, more));
}

// ---------- routing ----------
let flash = "";
function route(message = "") {
  flash = message;
  showWho();
  if (!token()) return signIn();
  const [path, query = ""] = location.hash.replace(/^#/, "").split("?");
  const params = new URLSearchParams(query);
  const match = path.match(/^\/customers\/([^/]+)\/(summary|sla)$/);
  if (match) {
    const table = { sort: params.get("sort") || "", rpo_status: params.get("rpo_status") || "" };
    return customerDetails(decodeURIComponent(match[1]), match[2], params.get("window") || "7d", table, params.get("severity") || "").then(() => {
      if (flash) view.prepend(h("p", { class: "notice", role: "status", id: "flash" }, flash));
    });
  }
  if (!canList() && !claims().customer_id) return signIn("This token names no customer; paste another.");
  if (!canList()) { location.hash = home(); return undefined; }  // the hash change routes again
  return customersList();
}

window.addEventListener("hashchange", () => route());
route();
