// Small helpers the page, the tutorials and the embed share: elements with text (never
// HTML), JSON over fetch with the server's error message, and JSON in localStorage.

/** An element with a class and text content. */
export function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text != null) e.textContent = text;
  return e;
}

/** A JSON answer; a failed request throws with the server's `error`, or its status. */
export async function getJson(url, init) {
  const res = await fetch(url, init);
  let body;
  try {
    body = await res.json();
  } catch {
    body = { error: `${res.status} ${res.statusText}` };
  }
  if (!res.ok) throw new Error(body.error || `${res.status} ${res.statusText}`);
  return body;
}

/** An object kept in localStorage (`{}` when absent, unreadable or storage is off). */
export function loadJson(key) {
  try {
    return JSON.parse(localStorage.getItem(key)) || {};
  } catch {
    return {};
  }
}

/** Keeps `value` in localStorage; with storage off it lasts for the visit only. */
export function storeJson(key, value) {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Storage may be disabled.
  }
}
