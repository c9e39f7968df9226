// Customer Details: the customer's title, Delete, the partial-figures banner and the two
// tabs; the tab shown draws the rest.
import { api, canEdit, canList, failure, STALE } from "./api.js";
import { h, loading, refresh, view } from "./dom.js";
import { slaTab } from "./sla.js";
import { summaryTab } from "./summary.js";

/** The customer `id` on `tab` ("summary" or "sla"); the SLA tab's window, set table
 * order and filter (`table`) and alert severity come from the address. */
export async function customerDetails(id, tab, slaWindow, table = {}, severity = "") {
  loading("the customer");
  try {
    const { body: details, etag } = await api(
      "GET",
      `/customers/${id}/details?window=${slaWindow}`,
    );
    // The regions a plan may name, for the plan's editor (only an msp_admin edits).
    const regions = canEdit() ? (await api("GET", "/storage-regions")).body.items : [];
    const state = { id, etag, details, window: slaWindow, regions, table, severity };
    view.replaceChildren(
      ...[
        canList() ? h("p", {}, h("a", { href: "#/customers" }, "← Customers")) : null,
        title(state),
        details.partial ? banner() : null,
        tabs(id, tab, slaWindow),
        tab === "summary" ? summaryTab(state) : slaTab(state),
      ].filter(Boolean),
    );
  } catch (error) {
    failure(error);
  }
}

function title(state) {
  const notice = h("span", { class: "inline-notice", role: "alert" });
  const remove = canEdit() ? h("button", { class: "danger" }, "Delete customer") : null;
  remove?.addEventListener("click", () => deleteCustomer(state, remove, notice));
  const name = h("h1", {}, state.details.summary.account.name);
  return h("div", { class: "toolbar" }, name, remove, notice);
}

const banner = () =>
  h(
    "p",
    { class: "banner", role: "status" },
    "SLA figures are unavailable right now; the summary is current.",
  );

function tabs(id, tab, slaWindow) {
  const active = (name) => (tab === name ? "active" : "");
  return h(
    "nav",
    { class: "tabs" },
    h("a", { href: `#/customers/${id}/summary`, class: active("summary") }, "Summary"),
    h("a", { href: `#/customers/${id}/sla?window=${slaWindow}`, class: active("sla") }, "SLA"),
  );
}

async function deleteCustomer(state, button, notice) {
  const name = state.details.summary.account.name;
  if (!confirm(`Delete ${name}? This removes its contacts, usage and SLA data.`)) return;
  button.disabled = true;
  try {
    await api("DELETE", `/customers/${state.id}`, null, { "If-Match": state.etag });
    location.hash = "#/customers";
  } catch (error) {
    button.disabled = false;
    if (error.status === 412) return refresh(STALE);
    notice.textContent = error.message;
  }
}
