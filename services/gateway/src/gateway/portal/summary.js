// The Summary tab: account and service plan (each card edited in place), consumption,
// contacts, customer groups and, for MSP staff, the activity (who changed what).
import { api, canEdit, canList, showProblem } from "./api.js";
import { consumptionCard } from "./consumption.js";
import { contactsCard } from "./contacts.js";
import { groupsCard } from "./groups.js";
import {
  clearTexts, daysUntil, fieldError, h, refresh, tableHead, text, when, wideRow,
} from "./dom.js";
import { ACTIONS, choices, labelOf } from "./vocabulary.js";

export function summaryTab(state) {
  const { account, service_plan: plan, consumption, contacts } = state.details.summary;
  const groups = state.details.summary.groups || [];
  const quota = plan.credit_quota;
  const quotaShown =
    quota === null
      ? text(null)
      : `${quota.toLocaleString()}${quotaNote(quota, consumption.credits_consumed)}`;
  return h(
    "div",
    { class: "grid" },
    editableCard(state, "Account Details", "account", "account", [
      ["name", "Account name", account.name],
      ["customer_name", "Customer name", account.customer_name],
      ["address", "Address", account.address],
      ["phone", "Phone (E.164)", account.phone, "tel"],
    ]),
    editableCard(state, "Service Plan", "service-plan", "service_plan", [
      ["plan", "Plan", plan.plan],
      ["edition", "Edition", plan.edition, choices("edition"), labelOf("edition", plan.edition)],
      [
        "tenant_type",
        "Tenant type",
        plan.tenant_type,
        choices("tenant_type"),
        labelOf("tenant_type", plan.tenant_type),
      ],
      [
        "storage_region",
        "Storage region",
        plan.storage_region,
        regionChoices(state.regions, plan.storage_region),
      ],
      [
        "expiry_date",
        "Expiry date",
        plan.expiry_date,
        "date",
        `${text(plan.expiry_date)}${expiryNote(plan.expiry_date)}`,
      ],
      ["credit_quota", "Credit quota", quota, "number", quotaShown],
      [
        "credit_quota_effective_date",
        "Credit quota effective",
        plan.credit_quota_effective_date,
        "date",
      ],
    ]),
    consumptionCard(consumption, quota),
    contactsCard(state, contacts),
    groupsCard(state, groups),
    canList() ? activityCard(state) : null,
  );
}

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
  const show = () =>
    card.replaceChildren(
      h(
        "header",
        {},
        h("h2", {}, title),
        canEdit() ? h("button", { class: "secondary", onclick: edit }, "Edit") : null,
      ),
      h(
        "dl",
        {},
        fields.map(([, label, value, , shown]) => [
          h("dt", {}, label),
          h("dd", {}, shown ?? text(value)),
        ]),
      ),
      notice,
    );
  const edit = () => {
    const inputs = {};
    const errors = {};
    const rows = fields.map(([name, label, value, kind]) => {
      const inputId = `${path}-${name}`;
      const option = ([choice, shown]) =>
        h("option", { value: choice, selected: choice === value }, shown);
      inputs[name] = Array.isArray(kind)
        ? h("select", { id: inputId, name }, kind.map(option))
        : h("input", { id: inputId, name, type: kind || "text", value: value ?? "" });
      errors[name] = fieldError(inputId);
      return [h("label", { for: inputId }, label), inputs[name], errors[name]];
    });
    const formError = h("p", { class: "error", role: "alert" });
    const save = h("button", { type: "submit" }, "Save");
    const cancel = h("button", { type: "button", class: "secondary", onclick: show }, "Cancel");
    const form = h("form", {}, rows, formError, h("div", { class: "actions" }, save, cancel));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      clearTexts(Object.values(errors));
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
        refresh(`${title} saved.`);
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

// The audit trail, newest first, a page at a time (MSP staff only: it names who changed what).
const shownValue = (value) => (value === null || value === undefined ? "(none)" : String(value));

const changeItem = (c) =>
  h("li", {}, h("code", {}, c.field), `: ${shownValue(c.old)} → ${shownValue(c.new)}`);

const entryRow = (entry) =>
  h(
    "tr",
    { "data-version": entry.version },
    h("td", {}, when(entry.at)),
    h("td", {}, text(entry.actor, "unknown")),
    h(
      "td",
      {},
      h("div", {}, ACTIONS[entry.action] || entry.action),
      entry.changes.length ? h("ul", { class: "changes" }, entry.changes.map(changeItem)) : null,
    ),
  );

function activityCard(state) {
  const body = h("tbody", {}, wideRow(3, "loading", "Loading activity…"));
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
      const path = `/customers/${encodeURIComponent(state.id)}/activity?${params}`;
      const { body: page } = await api("GET", path);
      const rows = page.items.map(entryRow);
      if (first) body.replaceChildren(...rows);
      else body.append(...rows);
      if (first && !rows.length) body.replaceChildren(wideRow(3, "muted", "No changes recorded."));
      first = false;
      cursor = page.next_cursor;
      older.hidden = !cursor;
    } catch (error) {
      if (error.status !== 401) notice.textContent = `${error.message}; try again.`;
      if (first) body.replaceChildren();
    } finally {
      older.disabled = false;
    }
  };
  older.addEventListener("click", load);
  load();
  return h(
    "section",
    { class: "card", id: "card-activity" },
    h("h2", {}, "Activity"),
    h("table", {}, tableHead(["When", "Who", "What changed"]), body),
    h("div", { class: "pager" }, notice, older),
  );
}
