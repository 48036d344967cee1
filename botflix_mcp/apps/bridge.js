"use strict";
/* The app side of the MCP Apps postMessage protocol (JSON-RPC 2.0 with the host, ext-apps specification
   2026-01-26): ui/initialize, then ui/notifications/initialized; the host pushes ui/notifications/tool-input and
   ui/notifications/tool-result; the app calls tools/call and ui/open-link and reports its size. Written here (no SDK,
   no CDN). Every datum is rendered as text: el() sets textContent / text nodes only, never as markup. */
const Bridge = (() => {
  let nextId = 1;
  const pending = new Map();
  const handlers = {};
  let hostContext = {};
  const post = (message) => window.parent.postMessage(message, "*");
  function request(method, params, timeoutMs) {
    const id = nextId++;
    post({ jsonrpc: "2.0", id, method, params: params || {} });
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      setTimeout(() => {
        if (pending.delete(id)) reject(new Error(method + " got no answer from the host"));
      }, timeoutMs || 120000);
    });
  }
  const notify = (method, params) => post({ jsonrpc: "2.0", method, params: params || {} });
  window.addEventListener("message", (event) => {
    if (event.source !== window.parent) return;
    const message = event.data;
    if (!message || message.jsonrpc !== "2.0") return;
    if (message.method === undefined) {
      const waiting = pending.get(message.id);
      if (!waiting) return;
      pending.delete(message.id);
      if (message.error) waiting.reject(new Error(String(message.error.message || "the host refused")));
      else waiting.resolve(message.result);
      return;
    }
    if (message.method === "ui/notifications/host-context-changed") applyContext(message.params || {});
    const handler = handlers[message.method];
    try {
      if (handler) handler(message.params || {});
    } catch (error) {
      console.error(error);
    }
    if (message.id !== undefined) post({ jsonrpc: "2.0", id: message.id, result: {} });
  });
  function applyContext(context) {
    hostContext = Object.assign({}, hostContext, context);
    if (context.theme === "dark" || context.theme === "light") document.documentElement.dataset.theme = context.theme;
  }
  function watchSize() {
    let last = "";
    const report = () => {
      const width = Math.ceil(document.documentElement.scrollWidth);
      const height = Math.ceil(document.documentElement.scrollHeight);
      const key = width + "x" + height;
      if (key !== last) {
        last = key;
        notify("ui/notifications/size-changed", { width, height });
      }
    };
    new ResizeObserver(report).observe(document.documentElement);
    report();
  }
  document.addEventListener("securitypolicyviolation", (event) => {
    notify("notifications/message", {
      level: "warning", logger: "csp", data: "blocked " + event.violatedDirective + " " + event.blockedURI,
    });
  });
  async function start(name) {
    const result = await request("ui/initialize", {
      protocolVersion: "2026-01-26", appInfo: { name, version: "1" }, appCapabilities: {},
    }, 20000);
    applyContext((result && result.hostContext) || {});
    notify("ui/notifications/initialized", {});
    watchSize();
    return result || {};
  }
  async function callTool(name, args) {
    const result = await request("tools/call", { name, arguments: args || {} });
    if (result && result.isError) throw new Error(textOf(result) || name + " failed");
    return result || {};
  }
  return {
    on: (method, handler) => { handlers[method] = handler; },
    start, callTool, notify,
    openLink: (url) => request("ui/open-link", { url }),
    context: () => hostContext,
  };
})();

function textOf(result) {
  return ((result && result.content) || []).filter((c) => c && c.type === "text").map((c) => String(c.text)).join("\n");
}

function dataOf(result) {
  const structured = (result && result.structuredContent) || {};
  return structured.data;
}

/* Elements with text only: strings become text nodes, props set attributes the caller controls. */
function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = String(value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, String(value));
  }
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

/* An http(s) URL, or null (never javascript:, data: or anything else). */
function safeUrl(value, origin) {
  if (typeof value !== "string") return null;
  try {
    const url = new URL(value);
    if (url.protocol !== "https:" && url.protocol !== "http:") return null;
    if (origin && url.origin !== origin) return null;
    return url.href;
  } catch (error) {
    return null;
  }
}

/* The skill's sizes: MB means MiB. */
function formatSize(bytes) {
  if (typeof bytes !== "number" || !isFinite(bytes)) return "—";
  const units = [["GB", 1 << 30], ["MB", 1 << 20], ["KB", 1 << 10]];
  for (const [unit, size] of units) {
    if (bytes >= size) {
      const value = bytes / size;
      return (Number.isInteger(value) ? value : value.toFixed(1)) + " " + unit;
    }
  }
  return bytes + " B";
}

function formatDuration(seconds) {
  if (typeof seconds !== "number" || !isFinite(seconds)) return null;
  const total = Math.round(seconds);
  const minutes = Math.floor(total / 60);
  return minutes + ":" + String(total % 60).padStart(2, "0");
}

async function copyText(text, button) {
  let ok = false;
  try {
    await navigator.clipboard.writeText(text);
    ok = true;
  } catch (error) {
    const area = el("textarea", { "aria-hidden": "true", style: "position:fixed;left:-9999px" });
    area.value = text;
    document.body.append(area);
    area.select();
    try { ok = document.execCommand("copy"); } catch (ignored) { ok = false; }
    area.remove();
  }
  if (button) {
    const label = button.textContent;
    button.textContent = ok ? "Copied" : "Copy failed";
    setTimeout(() => { button.textContent = label; }, 1500);
  }
}
