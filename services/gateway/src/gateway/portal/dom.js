// Small helpers that build and format the portal's nodes. Every value from the API
// reaches the page through text nodes (`h`'s children), never as HTML.

/** Where each page is drawn. */
export const view = document.getElementById("view");

/** An element with its attributes (`on...` ones become listeners) and children. */
export function h(tag, attrs = {}, ...children) {
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

const missing = (value) => value === null || value === undefined || value === "";

/** A table's header row of column titles. */
export const tableHead = (titles, cellAttrs = {}) =>
  h("thead", {}, h("tr", {}, titles.map((title) => h("th", cellAttrs, title))));

/** A row of one cell across the table's `columns`, saying `words` (class `kind`). */
export const wideRow = (columns, kind, words) =>
  h("tr", {}, h("td", { colspan: columns, class: kind }, words));

/** A select of [value, label] options, the one of value `current` chosen. */
export const select = (attrs, options, current) =>
  h(
    "select",
    attrs,
    options.map(([value, label]) => h("option", { value, selected: current === value }, label)),
  );

/** Where a form shows the API's error about the field `inputId`. */
export const fieldError = (inputId) =>
  h("p", { class: "field-error", id: `${inputId}-error`, role: "alert" });

/** Empties the texts of `elements` (a form's errors, before it is sent again). */
export const clearTexts = (elements) => {
  for (const el of elements) el.textContent = "";
};

/** A value as text, `empty` when there is none. */
export const text = (value, empty = "—") => (missing(value) ? empty : String(value));

/** An instant in the reader's own time. */
export const when = (iso) => (iso ? new Date(iso).toLocaleString() : "—");

/** A status as a coloured badge, its value's words (style.css colours it). */
export const badge = (value) =>
  h("span", { class: `badge ${value}` }, text(value).replaceAll("_", " "));

/** Whole days from now to a date (negative once it has passed). */
export const daysUntil = (isoDate) =>
  Math.ceil((Date.parse(`${isoDate}T00:00:00Z`) - Date.now()) / 86400000);

/** A byte count in decimal units. */
export function formatBytes(bytes) {
  const units = ["B", "KB", "MB", "GB", "TB", "PB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value.toFixed(unit ? 1 : 0)} ${units[unit]}`;
}

/** What stays on the page while a fetch runs. */
export function loading(what) {
  view.replaceChildren(h("p", { class: "loading", role: "status" }, `Loading ${what}…`));
}

// Drawing the page of the current address again (after an edit or a sign-in, with a
// message to show): main.js, which routes, says how, so the pages need not import it.
let redraw = () => undefined;

/** Sets what `refresh` does. */
export const drawWith = (draw) => {
  redraw = draw;
};

/** Draws the current address's page again, with `message` shown above it. */
export const refresh = (message = "") => redraw(message);
