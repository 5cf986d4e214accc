// TradingView alert capture: every pop-up generation as it appears, and the alert log as a backup.
// Every selector for TradingView's DOM lives in SELECTORS; a UI change is fixed here only.
const SELECTORS = {
  dialogs: [
    { generation: "single-dialog", message: ".tv-alert-single-notification-dialog__message",
      title: ".tv-alert-single-notification-dialog__title", root: ".tv-alert-single-notification-dialog" },
    { generation: "dialog", message: ".tv-alert-notification-dialog__subtitle",
      title: ".tv-alert-notification-dialog__title", root: ".tv-dialog" },
  ],
  multiple: { row: ".tv-alerts-multiple-notifications-dialog__row", title: 0, message: 1, time: 3 },
  toast: {
    description: '[class*="description"]',
    title: /Alert on\s+([^\s]+)/,
    symbol: "a.js-symbol[data-symbol]",
    name: '[class*="name"]',
    time: /\b\d{1,2}:\d{2}(:\d{2})?\b/,
    maxDepth: 6,
    image: "canvas, img, svg image",
  },
  log: {
    item: '[data-name="alert-log-item"]',
    legacyItemPart: '[data-name="alert-log-item-desc"]',
    name: '[data-name="alert-log-item-title"], [class*="name"]',
    message: '[data-name="alert-log-item-desc"], [class*="message"]',
    ticker: '[class*="ticker"]',
    time: '[data-name="alert-log-item-date"], [class*="time"], [class*="date"]',
  },
};
const LOG_MEMORY = 500;

// This bundle's transport (another bundle in the same page may have replaced tw.send).
const send = tw.send;

function clean(el) {
  return el ? el.textContent.replace(/\s+/g, " ").trim() : "";
}

function within(el, selector) {
  const found = [...el.querySelectorAll(selector)];
  if (el.matches(selector)) found.unshift(el);
  const outer = el.closest(selector);
  if (outer && outer !== el) found.unshift(outer);
  return found;
}

function createAlerts(handover) {
  const account = TRADEWIRE_CONFIG.account;
  const memoryKey = `tradewire.alertlog.${account}`;
  const shown = new WeakMap();
  const pending = handover ? handover.pending : [];
  const stats = { popups: 0, log: 0, ocr: 0, sendErrors: 0 };
  let logSeen = [];
  try {
    logSeen = JSON.parse(localStorage.getItem(memoryKey) || "[]");
  } catch (e) {
    logSeen = [];
  }
  let logPrimed = false;
  const retry = tw.retrier(() => pump());

  function deliver(message) {
    message.detectedAt = tw.now();
    pending.push(message);
    pump();
  }

  function pump() {
    for (const msg of pending) {
      if (msg.inFlight) continue;
      msg.inFlight = true;
      send(msg).then(
        () => {
          if (pending.includes(msg)) pending.splice(pending.indexOf(msg), 1);
          retry.reset();
        },
        (err) => {
          msg.inFlight = false;
          stats.sendErrors += 1;
          tw.log("alert delivery failed, kept for a retry", String(err));
          retry.later();
        },
      );
    }
  }

  // Emit a pop-up message once per element and text (dialogs are sometimes reused).
  function popup(el, generation, fields) {
    const message = clean(el);
    if (!message || shown.get(el) === message) return;
    shown.set(el, message);
    stats.popups += 1;
    deliver({ kind: "alert", source: "popup", generation, message, ...fields });
  }

  function ocr(root, generation) {
    if (shown.has(root)) return;
    shown.set(root, "ocr");
    const r = root.getBoundingClientRect();
    stats.ocr += 1;
    deliver({ kind: "ocr", generation, rect: { x: r.left + scrollX, y: r.top + scrollY,
      width: r.width, height: r.height } });
  }

  function toastRoot(description) {
    let el = description;
    for (let depth = 0; el && depth < SELECTORS.toast.maxDepth; depth += 1, el = el.parentElement) {
      // A toast is small; a long text means the climb left it.
      if (el.textContent.length > 2000) return null;
      if (SELECTORS.toast.title.test(clean(el).replace(clean(description), ""))) return el;
    }
    return null;
  }

  function logItems(el) {
    const L = SELECTORS.log;
    const legacy = within(el, L.legacyItemPart).map((part) => part.parentElement);
    return [...new Set([...within(el, L.item), ...legacy])];
  }

  function logKey(item) {
    const L = SELECTORS.log;
    const message = clean(item.querySelector(L.message));
    return { message, key: [clean(item.querySelector(L.name)), message,
      clean(item.querySelector(L.time))].join("|") };
  }

  function remember(key) {
    logSeen.push(key);
    logSeen.splice(0, Math.max(0, logSeen.length - LOG_MEMORY));
    localStorage.setItem(memoryKey, JSON.stringify(logSeen));
  }

  // The log's first render after a page load is history, not new alerts; a log still empty when
  // the page has loaded is an empty history, so its first entry is new.
  function primeLog(loaded) {
    const items = logItems(document.documentElement);
    if (!items.length && !loaded) return;
    for (const item of items) {
      const { key } = logKey(item);
      if (!logSeen.includes(key)) remember(key);
    }
    logPrimed = true;
  }

  function inspect(el) {
    for (const gen of SELECTORS.dialogs) {
      for (const msg of within(el, gen.message)) {
        const root = msg.closest(gen.root);
        popup(msg, gen.generation, { title: clean(root && root.querySelector(gen.title)) });
      }
    }
    const M = SELECTORS.multiple;
    for (const row of within(el, M.row)) {
      const cells = row.children;
      if (cells[M.message]) {
        popup(cells[M.message], "multiple", { title: clean(cells[M.title]), time: clean(cells[M.time]) });
      }
    }
    const T = SELECTORS.toast;
    for (const description of within(el, T.description)) {
      if (description.closest(SELECTORS.log.item)) continue;
      const root = toastRoot(description);
      if (!root) continue;
      const title = (T.title.exec(clean(root)) || [])[1] || "";
      const link = root.querySelector(T.symbol);
      const fields = { generation: "toast", title: "Alert on " + title,
        symbol: link ? link.getAttribute("data-symbol") : title,
        name: clean(root.querySelector(T.name)), time: (T.time.exec(clean(root)) || [""])[0] };
      if (clean(description)) popup(description, "toast", fields);
      else if (description.querySelector(T.image)) ocr(root, "toast");
    }
    if (!logPrimed) return;
    for (const item of logItems(el)) {
      const { message, key } = logKey(item);
      if (!message || logSeen.includes(key)) continue;
      remember(key);
      stats.log += 1;
      deliver({ kind: "alert", source: "alert_log", generation: "log", message,
        name: clean(item.querySelector(SELECTORS.log.name)),
        symbol: clean(item.querySelector(SELECTORS.log.ticker)),
        time: clean(item.querySelector(SELECTORS.log.time)) });
    }
  }

  const observer = new MutationObserver((records) => {
    const touched = new Set();
    for (const record of records) {
      if (record.type === "characterData") touched.add(record.target.parentElement);
      else {
        for (const node of record.addedNodes) touched.add(node.nodeType === 1 ? node : record.target);
      }
    }
    if (!logPrimed) primeLog(false);
    for (const el of touched) if (el && el.nodeType === 1 && el.isConnected) inspect(el);
    pump();
  });
  observer.observe(document, { subtree: true, childList: true, characterData: true });
  const onLoad = () => {
    if (!logPrimed) primeLog(true);
  };
  if (document.readyState === "complete") onLoad();
  else window.addEventListener("load", onLoad);
  if (document.documentElement) {
    primeLog(false);
    inspect(document.documentElement);
  }
  pump();
  return {
    stats,
    dispose() {
      observer.disconnect();
      window.removeEventListener("load", onLoad);
      retry.dispose();
      for (const msg of pending) msg.inFlight = false;
      return { pending };
    },
  };
}

if (tw.siteMatches("tradingview")) tw.install("alerts", TRADEWIRE_VERSION, createAlerts);
