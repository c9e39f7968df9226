// Signing in, requests to the gateway's API with the caller's token (asked for again when
// refused), and how the API's errors show on the page.
import { h, refresh, view } from "./dom.js";

const TOKEN_KEY = "msc.token";

// ---------- session ----------
export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

/** The token's claims, read (not verified: the gateway verifies) to shape the page. */
export function claims() {
  try {
    const payload = token().split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(payload));
  } catch {
    return {};
  }
}

export const canEdit = () => claims().role === "msp_admin";
export const canList = () => ["msp_admin", "msp_viewer"].includes(claims().role);

/** Where a caller starts: the list for MSP staff, its own customer for a customer_viewer. */
export const home = () =>
  canList()
    ? "#/customers"
    : `#/customers/${encodeURIComponent(claims().customer_id || "")}/summary`;

/** The header's "who is signed in" and its Sign out button. */
export function showWho() {
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

export function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
  refresh();
}

/** The sign-in page; `message` says why it is shown. */
export function signIn(message = "") {
  view.replaceChildren(document.getElementById("sign-in").content.cloneNode(true));
  document.getElementById("sign-in-error").textContent = message;
  document.getElementById("sign-in-form").addEventListener("submit", (e) => {
    e.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, document.getElementById("token").value.trim());
    location.hash = home();
    refresh();
  });
}

// A refused or expired token: a dialog asks for a new one over the page, so a form being
// filled in is not lost; the request is then sent again. Signing out leaves the page.
function askForToken() {
  const dialog = document.getElementById("resign-in");
  const field = document.getElementById("resign-token");
  field.value = "";
  return new Promise((resolve) => {
    const done = (value) => {
      dialog.close();
      resolve(value);
    };
    document.getElementById("resign-in-form").onsubmit = (e) => {
      e.preventDefault();
      done(field.value.trim());
    };
    document.getElementById("resign-cancel").onclick = () => done("");
    dialog.showModal();
    field.focus();
  });
}

// ---------- requests ----------
/** An answer of the API that is not a success: its status and problem document. */
class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

// One request to the API with the caller's token (asked for again once if refused).
async function send(method, path, body, headers = {}, retried = false) {
  const answer = await fetch(`/api/v1${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${token()}`,
      ...(body ? { "Content-Type": "application/json" } : {}),
      ...headers,
    },
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

/** A JSON request: the answer's body and ETag, or an ApiError. */
export async function api(method, path, body, headers = {}) {
  const answer = await send(method, path, body, headers);
  const payload = answer.status === 204 ? null : await answer.json().catch(() => ({}));
  if (!answer.ok) throw new ApiError(answer.status, payload || {});
  return { body: payload, etag: answer.headers.get("ETag") };
}

/** A CSV export, saved as a file; what went wrong is said in `notice`. */
export async function download(path, filename, button, notice) {
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
  } finally {
    button.disabled = false;
  }
}

// ---------- errors ----------
export const STALE =
  "Someone else changed this customer meanwhile: these are the current values. " +
  "Make your change again.";

/** A page that could not be drawn (a refused token has its own: the sign-in). */
export function failure(error) {
  if (error.status === 401) return;
  const back = canList() ? h("p", {}, h("a", { href: "#/customers" }, "Back to customers")) : null;
  view.replaceChildren(
    h(
      "section",
      { class: "card" },
      h("h1", {}, "Something went wrong"),
      h("p", { class: "error" }, error.message),
      back,
    ),
  );
}

/** A refused form: each error under the field it names (without its `prefix.`), the rest
 * in `formError`; a stale ETag draws the current values again and says so. */
export function showProblem(error, fieldErrors, formError, prefix) {
  if (error.status === 401) return;
  if (error.status === 412) return refresh(STALE);
  let placed = false;
  for (const { field, message } of error.problem.errors || []) {
    const name = field.startsWith(`${prefix}.`) ? field.slice(prefix.length + 1) : field;
    if (fieldErrors[name]) {
      fieldErrors[name].textContent = message;
      placed = true;
    }
  }
  if (!placed) formError.textContent = error.message;
}
