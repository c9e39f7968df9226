// The customers list (search, group filter, pages, plan badges, CSV export) and Add customer.
import { api, canEdit, download, failure, showProblem } from "./api.js";
import { badge, clearTexts, fieldError, h, select, tableHead, text, view, wideRow } from "./dom.js";
import { choices, labelOf, PLAN_BADGES } from "./vocabulary.js";

const COLUMNS = [
  "Account", "Customer", "Plan", "Edition", "Region", "Expires", "Plan health", "SLA health",
];

// The search, the group asked for ("": every one) and the cursors of the pages shown so
// far (the last one is on screen).
const listState = { q: "", group: "", cursors: [null] };

/** The list's search and group filter as query parameters. */
function searchParams() {
  const params = new URLSearchParams();
  if (listState.q) params.set("q", listState.q);
  if (listState.group) params.set("group", listState.group);
  return params;
}

function planBadges(c) {
  const badges = (c.plan_badges || [])
    .filter((b) => PLAN_BADGES[b])
    .map((b) => {
      const [severity, words] = PLAN_BADGES[b](c);
      return h("span", { class: `badge ${severity}` }, words);
    });
  return badges.length ? badges : h("span", { class: "muted" }, "—");
}

function customerRow(c) {
  const summary = `#/customers/${c.id}/summary`;
  const open = () => {
    location.hash = summary;
  };
  return h(
    "tr",
    { class: "clickable", "data-id": c.id, onclick: open },
    h("td", {}, h("a", { href: summary }, c.name)),
    h("td", {}, text(c.customer_name)),
    h("td", {}, text(c.plan)),
    h("td", {}, labelOf("edition", c.edition)),
    h("td", {}, text(c.storage_region)),
    h("td", { class: "nowrap" }, text(c.expiry_date)),
    h("td", { class: "plan-health" }, planBadges(c)),
    h("td", {}, badge(c.sla_health)),
  );
}

function exportButton() {
  const notice = h("span", { class: "inline-notice", role: "alert" });
  const save = (e) => {
    const query = searchParams().toString();
    const path = query ? `/customers.csv?${query}` : "/customers.csv";
    download(path, "customers.csv", e.currentTarget, notice);
  };
  const button = h("button", { class: "secondary", onclick: save }, "Export CSV");
  return h("span", {}, button, " ", notice);
}

// The groups in use (those the caller sees) as a filter; none shown when there are none.
async function groupFilter() {
  let groups = [];
  try {
    groups = (await api("GET", "/customer-groups")).body.items;
  } catch {
    return null; // the list still works without its filter
  }
  if (!groups.length && !listState.group) return null;
  const named = groups.map((g) => [g.name, `${g.name} (${g.customers})`]);
  const options = [["", "All groups"], ...named];
  const filter = select({ "aria-label": "Customer group" }, options, listState.group);
  filter.addEventListener("change", () => {
    listState.group = filter.value;
    listState.cursors = [null];
    customersList();
  });
  return filter;
}

/** The list's page of the current search, group and cursor. */
export async function customersList() {
  const search = h("input", {
    type: "search",
    placeholder: "Search account or customer name",
    value: listState.q,
    "aria-label": "Search customers",
  });
  const body = h("tbody");
  const first = listState.cursors.length < 2;
  const prev = h("button", { class: "secondary", disabled: first }, "Previous");
  const next = h("button", { class: "secondary", disabled: true }, "Next");
  const add = canEdit()
    ? h("button", { id: "add-customer", onclick: () => addCustomer() }, "Add customer")
    : null;
  const toolbar = h("div", { class: "toolbar" }, search, add, exportButton());
  groupFilter().then((filter) => filter && search.after(filter));
  view.replaceChildren(
    h("h1", {}, "Customers"),
    toolbar,
    h("table", { id: "customers" }, tableHead(COLUMNS), body),
    h("div", { class: "pager" }, prev, next),
  );
  let timer;
  search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      listState.q = search.value.trim();
      listState.cursors = [null];
      customersList();
    }, 250);
  });
  prev.addEventListener("click", () => {
    listState.cursors.pop();
    customersList();
  });
  const params = searchParams();
  params.set("limit", "20");
  const cursor = listState.cursors[listState.cursors.length - 1];
  if (cursor) params.set("cursor", cursor);
  body.replaceChildren(wideRow(COLUMNS.length, "loading", "Loading customers…"));
  try {
    const { body: page } = await api("GET", `/customers?${params}`);
    body.replaceChildren(...page.items.map(customerRow));
    if (!page.items.length) {
      body.replaceChildren(wideRow(COLUMNS.length, "muted", "No customers match."));
    }
    next.disabled = !page.next_cursor;
    next.addEventListener("click", () => {
      listState.cursors.push(page.next_cursor);
      customersList();
    });
  } catch (error) {
    failure(error);
  }
  search.focus();
}

// A new customer: the API's rules answer for the fields, each error under its field; on
// success the list says so with a link to the new customer.
async function addCustomer() {
  let regions = [];
  try {
    regions = (await api("GET", "/storage-regions")).body.items;
  } catch (error) {
    return failure(error);
  }
  // [name, label, kind]: kind is an input type or a list of [value, label] choices.
  const fields = [
    ["account.name", "Account name", "text"],
    ["account.customer_name", "Customer name", "text"],
    ["account.phone", "Phone (E.164)", "tel"],
    ["service_plan.plan", "Plan", "text"],
    ["service_plan.storage_region", "Storage region", regions.map((r) => [r, r])],
    ["service_plan.tenant_type", "Tenant type", choices("tenant_type")],
    ["service_plan.edition", "Edition", choices("edition")],
    ["service_plan.expiry_date", "Expiry date", "date"],
    ["service_plan.credit_quota", "Credit quota", "number"],
  ];
  const inputs = {};
  const errors = {};
  const rows = fields.map(([name, label, kind]) => {
    const inputId = `new-${name.replace(".", "-")}`;
    const options = () => kind.map(([value, shown]) => h("option", { value }, shown));
    inputs[name] = Array.isArray(kind)
      ? h("select", { id: inputId, name }, options())
      : h("input", { id: inputId, name, type: kind });
    errors[name] = fieldError(inputId);
    return [h("label", { for: inputId }, label), inputs[name], errors[name]];
  });
  const formError = h("p", { class: "error", role: "alert" });
  const create = h("button", { type: "submit" }, "Create customer");
  const cancel = h(
    "button",
    { type: "button", class: "secondary", onclick: () => customersList() },
    "Cancel",
  );
  const form = h(
    "form",
    { id: "new-customer", novalidate: true },
    rows,
    formError,
    h("div", { class: "actions" }, create, cancel),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearTexts(Object.values(errors));
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
      listState.q = "";
      listState.cursors = [null];
      await customersList();
      view.prepend(
        h(
          "p",
          { class: "notice", role: "status", id: "flash" },
          `Customer ${created.account.name} created: `,
          h("a", { href: `#/customers/${created.id}/summary` }, "open it"),
        ),
      );
    } catch (error) {
      create.disabled = false;
      showProblem(error, errors, formError, "");
    }
  });
  view.replaceChildren(
    h("p", {}, h("a", { href: "#/customers", onclick: () => customersList() }, "← Customers")),
    h("h1", {}, "Add customer"),
    h("section", { class: "card" }, form),
  );
  inputs["account.name"].focus();
}
