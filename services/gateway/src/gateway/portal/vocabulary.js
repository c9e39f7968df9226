// The words the portal shows for the contract's values, in one place: SLA windows, alert
// severities, RPO statuses, the set table's orders, plan fields, plan badges and audit
// actions. Health and job statuses are shown as the API names them (see `badge` in
// dom.js); their colours are in style.css.
import { daysUntil, text } from "./dom.js";

/** The SLA tab's windows, and the one a tab opens on when the address names none. */
export const WINDOWS = ["24h", "7d", "30d"];
export const DEFAULT_WINDOW = "7d";

/** Alert severities, most serious first. */
export const SEVERITIES = { critical: "Critical", warning: "Warning", info: "Info" };

/** The set table's filter by RPO status ("" shows every set). */
export const RPO_FILTERS = [
  ["", "All sets"],
  ["breached", "RPO breached"],
  ["never", "Never backed up"],
  ["ok", "Within RPO"],
];

/** The set table's orders ("" is the set id's). */
export const SET_ORDERS = [
  ["", "By set id"],
  ["rpo_status", "RPO status (most at risk first)"],
  ["last_successful_backup_at", "Last successful backup (oldest first)"],
  ["-last_successful_backup_at", "Last successful backup (newest first)"],
  ["name", "Name (A-Z)"],
  ["-name", "Name (Z-A)"],
];

// Human labels of the service plan's enum values.
const LABELS = {
  tenant_type: { commercial: "Commercial", evaluation: "Evaluation" },
  edition: { business: "Business", enterprise: "Enterprise", elite: "Elite" },
};

/** The label of a plan field's value (the value itself when it has none). */
export const labelOf = (field, value) => (LABELS[field] && LABELS[field][value]) || text(value);

/** A plan field's values as [value, label] choices. */
export const choices = (field) => Object.entries(LABELS[field]);

/** A customer row's plan badges as [severity class, words]: expiry within 30 days,
 * credits of the last 90 days over 80 % / 100 % of the quota. */
export const PLAN_BADGES = {
  expired: () => ["critical", "Expired"],
  expires_soon: (c) => {
    const days = daysUntil(c.expiry_date);
    return ["warning", days > 0 ? `Expires in ${days} d` : "Expires today"];
  },
  credits_over_100: () => ["critical", "Credits over quota"],
  credits_over_80: (c) => ["warning", `Credits ${Math.round((c.quota_used || 0) * 100)} %`],
};

/** What each audit action says in the Activity card. */
export const ACTIONS = {
  created: "Created the customer",
  account_updated: "Edited the account",
  service_plan_updated: "Edited the service plan",
  contact_added: "Added a contact",
  contact_updated: "Edited a contact",
  contact_deleted: "Deleted a contact",
  groups_updated: "Changed the customer groups",
  deleted: "Deleted the customer",
};
