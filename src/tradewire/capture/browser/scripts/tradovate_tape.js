// Tradovate Time & Sales capture: every print exactly once, pushed as the seed's scraped JSON.
// Reads the page through tradovate_dom.js; here are the watermarks, delivery and the control.
// This bundle's transport (another bundle in the same page may have replaced tw.send).
const send = tw.send;

const STORAGE_KEYS = {
  enabled: "scraper_enabled",
  interval: "scraper_interval",
  volumeFilter: "scraper_volume_filter",
  debug: "scraper_debug",
  autoStart: "scraper_auto_start",
};
const CONFIG_ALIASES = { volume_filter: "volumeFilter", auto_start: "autoStart" };
const RECENT_LIMIT = 1000;
const PENDING_LIMIT = 5000;

// Watermark {t, keys}: the newest print time delivered and the keys of the prints at that time.
// Identical prints differ by accumulated volume, which is part of the key.
function isNew(wm, print) {
  return !wm || print.t > wm.t || (print.t === wm.t && !wm.keys.includes(print.key));
}
function advance(wm, print) {
  if (print.t > wm.t) {
    wm.t = print.t;
    wm.keys = [print.key];
  } else if (!wm.keys.includes(print.key)) wm.keys.push(print.key);
}
function newer(a, b) {
  if (!a) return b ? { t: b.t, keys: [...b.keys] } : null;
  if (!b || a.t > b.t) return { t: a.t, keys: [...a.keys] };
  if (b.t > a.t) return { t: b.t, keys: [...b.keys] };
  return { t: a.t, keys: [...new Set([...a.keys, ...b.keys])] };
}

function createTape(handover) {
  const account = TRADEWIRE_CONFIG.account;
  const storageKey = (symbol) => `tradewire.tape.${account}.${symbol}`;
  const unackedKey = `tradewire.tape.${account}.unacknowledged`;
  const config = { enabled: false, interval: 1000, volumeFilter: 0, debug: false, autoStart: false };
  for (const [key, name] of Object.entries(STORAGE_KEYS)) {
    const raw = localStorage.getItem(name);
    if (raw !== null) config[key] = typeof config[key] === "boolean" ? raw === "true" : Number(raw);
  }
  const carried = handover || resume();
  const watermarks = carried ? carried.watermarks : {};
  const pending = carried ? carried.pending : [];
  const recent = [];
  const stats = { emitted: 0, filtered: 0, invalid: 0, sendErrors: 0, dropped: 0 };
  const invalidSeen = new Set();
  let grids = [];
  let sessionMarks = {};
  let ready = false;
  // A replaced instance's hello may still be answered: it must not send what it handed over.
  let disposed = false;
  let running = false;
  let seq = carried ? carried.seq : 0;
  let lastPost = 0;
  let heldTimer = null;
  let lastContract = {};
  const retry = tw.retrier(() => pump());

  function saved(symbol) {
    try {
      return JSON.parse(sessionStorage.getItem(storageKey(symbol)) || "null");
    } catch (e) {
      return null;
    }
  }

  // A reload ends the page before the acknowledgements of what it last sent arrive, and the
  // binding calls it made just before may never reach the session: the previous document of
  // this tab left its unacknowledged messages, and the watermarks that passed them, here.
  function resume() {
    try {
      const state = JSON.parse(sessionStorage.getItem(unackedKey) || "null");
      sessionStorage.removeItem(unackedKey);
      return state;
    } catch (e) {
      return null;
    }
  }

  function keepUnacknowledged() {
    // -Infinity (a symbol with no print yet) does not survive JSON.
    const marks = Object.entries(watermarks).filter(([, wm]) => wm.t > -Infinity);
    try {
      sessionStorage.setItem(unackedKey, JSON.stringify({ watermarks: Object.fromEntries(marks), pending, seq }));
    } catch (e) {
      tw.log("unacknowledged prints not kept over the reload", String(e));
    }
  }

  // A page restored from the back-forward cache still has them in memory.
  function onPageShow(event) {
    if (event.persisted) sessionStorage.removeItem(unackedKey);
  }

  function watermark(symbol) {
    if (!watermarks[symbol]) {
      watermarks[symbol] = newer(saved(symbol), sessionMarks[symbol]) || { t: -Infinity, keys: [] };
    }
    return watermarks[symbol];
  }

  function commit(symbol, wm) {
    sessionStorage.setItem(storageKey(symbol), JSON.stringify(newer(saved(symbol), wm)));
  }

  function discover() {
    grids = grids.filter((g) => g.el.isConnected);
    for (const el of document.querySelectorAll(SELECTORS.grid)) {
      if (!grids.some((g) => g.el === el)) grids.push({ el, dirty: true });
    }
  }

  function scan(grid) {
    grid.dirty = false;
    const cols = columnsOf(grid.el);
    if (!cols) return;
    const header = headerOf(grid.el);
    const contract = readContract(header);
    const active = readTabs().find((tab) => tab.isActive);
    const symbol = contract.symbol || (active && active.symbol);
    if (!symbol) return;
    const rows = [];
    for (const row of grid.el.querySelectorAll(SELECTORS.row)) {
      if (row.querySelector(SELECTORS.columnHeader) || isHidden(row)) continue;
      const read = readRow(row, cols);
      if (read.invalid) {
        if (!invalidSeen.has(read.invalid) && invalidSeen.size < 1000) {
          invalidSeen.add(read.invalid);
          stats.invalid += 1;
          tw.log("unreadable row", read.invalid);
        }
      } else if (!read.blank) rows.push(read);
    }
    // DOM order is not screen order: sort by time, then accumulated volume, then lower on screen
    // (older) first.
    rows.sort((a, b) => a.t - b.t || (a.print.accumulatedVolume || 0) - (b.print.accumulatedVolume || 0) || b.y - a.y);
    const wm = watermark(symbol);
    const fresh = [];
    for (const row of rows) {
      if (!isNew(wm, row)) continue;
      advance(wm, row);
      if (row.print.size < config.volumeFilter) stats.filtered += 1;
      else fresh.push(row);
    }
    if (fresh.length) emit(symbol, { symbol, ...contract }, fresh, { t: wm.t, keys: [...wm.keys] });
  }

  function emit(symbol, contract, rows, wm) {
    const capturedAt = new Date().toISOString();
    const trades = rows.map((row) => ({ ...row.print, symbol, account, captured_at: capturedAt }));
    lastContract = contract;
    recent.push(...trades);
    recent.splice(0, Math.max(0, recent.length - RECENT_LIMIT));
    stats.emitted += trades.length;
    pending.push({ seq: ++seq, symbol, watermark: wm, order: rows.map(({ t, key }) => ({ t, key })),
      detectedAt: tw.now(),
      data: { timestamp: capturedAt, account, tabs: readTabs(), contractInfo: contract, trades } });
    if (pending.length > PENDING_LIMIT) stats.dropped += pending.splice(0, pending.length - PENDING_LIMIT).length;
  }

  // Merge waiting messages into one per symbol (the newest watermark and header win).
  function coalesce() {
    const merged = [];
    for (const msg of pending.splice(0)) {
      const last = merged.find((m) => m.symbol === msg.symbol && !m.inFlight);
      if (last && !msg.inFlight) {
        last.data.trades.push(...msg.data.trades);
        last.order.push(...msg.order);
        Object.assign(last, { watermark: msg.watermark, seq: msg.seq });
        last.data.contractInfo = msg.data.contractInfo;
      } else merged.push(msg);
    }
    pending.push(...merged);
  }

  // Over CDP every change goes at once (the binding is cheap and ordered); over HTTP, prints
  // wait at most `interval` ms (a background tab may stretch that) and go as one POST per symbol.
  function pump() {
    if (!ready || disposed) return;
    if (TRADEWIRE_CONFIG.transport === "http") {
      const wait = config.interval - (tw.now() - lastPost);
      if (wait > 0) {
        // One deferred send for what is held, so the last prints of a quiet tape go too.
        if (!heldTimer && pending.length) heldTimer = setTimeout(() => { heldTimer = null; pump(); }, wait);
        return;
      }
      coalesce();
      lastPost = tw.now();
    }
    for (const msg of pending) {
      if (msg.inFlight) continue;
      msg.inFlight = true;
      const { seq: s, symbol, watermark: wm, detectedAt, data } = msg;
      send({ kind: "tape", seq: s, symbol, watermark: wm, detectedAt, data }).then(
        () => {
          if (pending.includes(msg)) pending.splice(pending.indexOf(msg), 1);
          commit(symbol, wm);
          retry.reset();
        },
        (err) => {
          msg.inFlight = false;
          msg.refused = true;
          stats.sendErrors += 1;
          tw.log("delivery failed, kept for a retry", String(err));
          retry.later();
        },
      );
    }
  }

  function onMutations(records) {
    if (!running) return;
    let structural = false;
    for (const record of records) {
      const grid = grids.find((g) => g.el.contains(record.target));
      if (grid) grid.dirty = true;
      else if ([...record.addedNodes].some((n) => n.nodeType === 1)) structural = true;
    }
    if (structural) discover();
    // Read at once, also before the session's answer to hello: a fast tape scrolls rows away.
    for (const grid of grids) if (grid.dirty) scan(grid);
    pump();
  }

  const observer = new MutationObserver(onMutations);

  function start() {
    if (running) return;
    running = true;
    observer.observe(document, { subtree: true, childList: true, characterData: true,
      attributes: true, attributeFilter: ["style", "class", "value"] });
    discover();
    // Prints shown while stopped are still on screen: pick them up now.
    for (const grid of grids) grid.dirty = true;
    onMutations([]);
  }

  function stop() {
    running = false;
    observer.disconnect();
  }

  // The session knows what it already received (it may be more than this tab committed before a
  // reload): start every symbol from the newer watermark, and resend only what the session lacks
  // (what it received is within its watermark). A message the session refused goes again whole:
  // a later message may have taken the session's watermark past its prints.
  function onHello(reply) {
    if (disposed) return;
    sessionMarks = (reply && reply.watermarks) || {};
    for (const [symbol, wm] of Object.entries(sessionMarks)) {
      if (watermarks[symbol]) watermarks[symbol] = newer(watermarks[symbol], wm);
    }
    for (const msg of pending.splice(0)) {
      if (!msg.refused) {
        const have = sessionMarks[msg.symbol];
        const keep = msg.order.map((o) => isNew(have, o));
        msg.data.trades = msg.data.trades.filter((_, i) => keep[i]);
        msg.order = msg.order.filter((_, i) => keep[i]);
      }
      msg.inFlight = false;
      if (msg.order.length) pending.push(msg);
    }
    ready = true;
    for (const grid of grids) grid.dirty = true;
    onMutations([]);
    pump();
  }

  const control = {
    start() {
      config.enabled = true;
      localStorage.setItem(STORAGE_KEYS.enabled, "true");
      start();
      return true;
    },
    stop() {
      config.enabled = false;
      localStorage.setItem(STORAGE_KEYS.enabled, "false");
      stop();
      return true;
    },
    getConfig: () => ({ ...config, running }),
    setConfig(key, value) {
      const name = CONFIG_ALIASES[key] || key;
      if (!(name in config)) throw new Error("unknown scraper setting " + key);
      const typed = typeof config[name] === "boolean" ? value === true || value === "true" : Number(value);
      if (typeof typed === "number" && !Number.isFinite(typed)) throw new Error("bad value for " + key);
      config[name] = typed;
      localStorage.setItem(STORAGE_KEYS[name], String(typed));
      if (name === "debug") TRADEWIRE_CONFIG.debug = typed;
      if (name === "enabled") (typed ? start : stop)();
      return { ...config };
    },
    getData: () => ({ account, tabs: readTabs(), contractInfo: lastContract, trades: [...recent],
      stats: { ...stats, pending: pending.length, running } }),
  };

  console.log("[Tradovate Scraper] Initializing");
  TRADEWIRE_CONFIG.debug = TRADEWIRE_CONFIG.debug || config.debug;
  window.TradovateScraperControl = control;
  if (config.enabled || config.autoStart || TRADEWIRE_CONFIG.autoStart) start();
  window.addEventListener("pagehide", keepUnacknowledged);
  window.addEventListener("pageshow", onPageShow);
  send({ kind: "hello", script: "tape", url: location.href }).then(onHello, () => onHello(null));
  return {
    control,
    dispose() {
      disposed = true;
      stop();
      retry.dispose();
      window.removeEventListener("pagehide", keepUnacknowledged);
      window.removeEventListener("pageshow", onPageShow);
      for (const msg of pending) msg.inFlight = false;
      return { watermarks, pending, seq };
    },
  };
}

if (tw.siteMatches("tradovate")) tw.install("tape", TRADEWIRE_VERSION, createTape);
