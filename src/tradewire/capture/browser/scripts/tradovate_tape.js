// Tradovate Time & Sales capture: every print exactly once, pushed as the seed's scraped JSON.
// Every selector for Tradovate's DOM lives in SELECTORS; a UI change is fixed here only.
const SELECTORS = {
  tab: ".lm_tab:not(.tab_add)",
  tabTitle: ".lm_title span, .lm_title",
  activeTabClass: "lm_active",
  panel: ".lm_item_container, .lm_stack, .module",
  panelTitle: /time\s*(&|and)\s*sales/i,
  grid: '[role="grid"]',
  columnHeader: '[role="columnheader"]',
  row: '[role="row"]',
  cell: '[role="gridcell"]',
  cellContent: '.public_fixedDataTableCell_cellContent, [class*="cellContent"]',
  cellIsoValue: "[value]",
  highlightedRow: /highlighted/,
  tickClass: /tick-(?:flip|cont)-(up|down)/,
  columns: {
    timestamp: /^(time\s*stamp|time)$/i,
    price: /^price$/i,
    size: /^(size|qty|quantity|volume)$/i,
    accumulatedVolume: /^acc(umulated)?\.?\s*vol(ume)?$/i,
  },
  header: {
    root: ".header",
    symbol: ".contract-symbol span, .contract-symbol",
    name: "small.text-muted span",
    lastPrice: ".last-price-info .number",
    up: "text-success",
    down: "text-danger",
    change: ".last-price-info .small span:last-child",
    infoColumn: ".info-column",
    infoLabel: "small.text-muted",
    infoNumber: ".number",
    totalVolumeLabel: /total\s*volume/i,
  },
};

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

function parseNumber(text) {
  const clean = String(text).replace(/[,\s]/g, "").replace(/^\+/, "");
  return /^-?\d+(\.\d+)?$/.test(clean) ? Number(clean) : null;
}

// Order key for a display time: `08:52:25.037 10/8/25`, `09/20/2025 3:30:23 PM` or a bare time.
function parseTime(text, iso) {
  if (iso) {
    const t = Date.parse(iso);
    if (!Number.isNaN(t)) return t;
  }
  let m = /^(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?(?:\s+(\d{1,2})\/(\d{1,2})\/(\d{2,4}))?$/.exec(text);
  if (m) {
    const today = new Date();
    const year = m[7] ? Number(m[7]) + (m[7].length === 2 ? 2000 : 0) : today.getFullYear();
    const month = m[5] ? Number(m[5]) - 1 : today.getMonth();
    const day = m[6] ? Number(m[6]) : today.getDate();
    return Date.UTC(year, month, day, +m[1], +m[2], +m[3], Number((m[4] || "0").padEnd(3, "0")));
  }
  m = /^(\d{1,2})\/(\d{1,2})\/(\d{2,4})\s+(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?\s*(AM|PM)?$/i.exec(text);
  if (!m) return null;
  let hour = Number(m[4]) % (m[8] ? 12 : 24);
  if (m[8] && m[8].toUpperCase() === "PM") hour += 12;
  const year = Number(m[3]) + (m[3].length === 2 ? 2000 : 0);
  return Date.UTC(year, +m[1] - 1, +m[2], hour, +m[5], +m[6], Number((m[7] || "0").padEnd(3, "0")));
}

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

function text(el) {
  return el ? el.textContent.replace(/\s+/g, " ").trim() : "";
}

function readTabs() {
  return [...document.querySelectorAll(SELECTORS.tab)]
    .map((tab) => ({
      symbol: text(tab.querySelector(SELECTORS.tabTitle)),
      isActive: tab.classList.contains(SELECTORS.activeTabClass),
    }))
    .filter((tab) => tab.symbol);
}

function headerOf(grid) {
  let el = grid.closest(SELECTORS.panel);
  while (el) {
    const header = el.querySelector(SELECTORS.header.root);
    if (header) return header;
    el = el.parentElement && el.parentElement.closest(SELECTORS.panel);
  }
  return null;
}

function readContract(header) {
  const H = SELECTORS.header;
  if (!header) return {};
  const last = header.querySelector(H.lastPrice);
  const direction = last && last.classList.contains(H.up) ? "up"
    : last && last.classList.contains(H.down) ? "down" : null;
  const info = { symbol: text(header.querySelector(H.symbol)) || null,
    name: text(header.querySelector(H.name)) || null,
    lastPrice: last ? parseNumber(text(last)) : null, priceDirection: direction,
    priceChange: null, priceChangePercent: null, totalVolume: null };
  const change = /([+-]?[\d,]*\.?\d+)\s*\(\s*([+-]?[\d,]*\.?\d+)\s*%\s*\)/.exec(
    text(header.querySelector(H.change)));
  if (change) {
    const sign = direction === "down" && !/^[+-]/.test(change[1]) ? -1 : 1;
    info.priceChange = sign * parseNumber(change[1]);
    info.priceChangePercent = sign * parseNumber(change[2]);
  }
  for (const column of header.querySelectorAll(H.infoColumn)) {
    if (H.totalVolumeLabel.test(text(column.querySelector(H.infoLabel)))) {
      info.totalVolume = parseNumber(text(column.querySelector(H.infoNumber)));
    }
  }
  return info;
}

// Column indexes by header text, or null if this grid is not a Time & Sales tape.
function columnsOf(grid) {
  const labels = [...grid.querySelectorAll(SELECTORS.columnHeader)].map(text);
  const cols = {};
  for (const [field, pattern] of Object.entries(SELECTORS.columns)) {
    const index = labels.findIndex((label) => pattern.test(label));
    if (index >= 0) cols[field] = index;
  }
  const panel = grid.closest(SELECTORS.panel);
  const titled = panel && SELECTORS.panelTitle.test(text(panel.querySelector(".lm_title")));
  const complete = ["timestamp", "price", "size"].every((f) => f in cols);
  return complete && ("accumulatedVolume" in cols || titled) ? cols : null;
}

function readRow(row, cols) {
  const cells = row.querySelectorAll(SELECTORS.cell);
  const cellText = (i) => {
    const cell = cells[i];
    return cell ? text(cell.querySelector(SELECTORS.cellContent) || cell) : "";
  };
  const shown = cellText(cols.timestamp);
  if (!shown) return { blank: true };
  const isoEl = cells[cols.timestamp].querySelector(SELECTORS.cellIsoValue);
  const t = parseTime(shown, isoEl && isoEl.getAttribute("value"));
  const price = parseNumber(cellText(cols.price));
  const size = parseNumber(cellText(cols.size));
  const acc = "accumulatedVolume" in cols ? parseNumber(cellText(cols.accumulatedVolume)) : null;
  if (t === null || price === null || size === null) return { invalid: shown };
  const tick = cells[cols.price] && (cells[cols.price].outerHTML.match(SELECTORS.tickClass) || [])[1];
  const y = /translate3d\([^,]+,\s*(-?[\d.]+)px/.exec(row.parentElement.style.transform || "");
  return { t, key: [shown, price, size, acc].join("|"), y: y ? Number(y[1]) : 0,
    print: { timestamp: shown, price, size, accumulatedVolume: acc, tickDirection: tick || null,
      isHighlighted: SELECTORS.highlightedRow.test(row.className) } };
}

function isHidden(row) {
  return row.parentElement.style.visibility === "hidden" || row.style.visibility === "hidden";
}

function createTape(handover) {
  const account = TRADEWIRE_CONFIG.account;
  const storageKey = (symbol) => `tradewire.tape.${account}.${symbol}`;
  const config = { enabled: false, interval: 1000, volumeFilter: 0, debug: false, autoStart: false };
  for (const [key, name] of Object.entries(STORAGE_KEYS)) {
    const raw = localStorage.getItem(name);
    if (raw !== null) config[key] = typeof config[key] === "boolean" ? raw === "true" : Number(raw);
  }
  const watermarks = handover ? handover.watermarks : {};
  const pending = handover ? handover.pending : [];
  const recent = [];
  const stats = { emitted: 0, filtered: 0, invalid: 0, sendErrors: 0, dropped: 0 };
  const invalidSeen = new Set();
  let grids = [];
  let sessionMarks = {};
  let ready = false;
  let running = false;
  let seq = handover ? handover.seq : 0;
  let lastPost = 0;
  let lastContract = {};

  function saved(symbol) {
    try {
      return JSON.parse(sessionStorage.getItem(storageKey(symbol)) || "null");
    } catch (e) {
      return null;
    }
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
  // wait at most `interval` ms and go as one POST per symbol.
  function pump() {
    if (!ready) return;
    if (TRADEWIRE_CONFIG.transport === "http") {
      if (tw.now() - lastPost < config.interval) return;
      coalesce();
      lastPost = tw.now();
    }
    for (const msg of pending) {
      if (msg.inFlight) continue;
      msg.inFlight = true;
      const { seq: s, symbol, watermark: wm, detectedAt, data } = msg;
      tw.send({ kind: "tape", seq: s, symbol, watermark: wm, detectedAt, data }).then(
        () => {
          if (pending.includes(msg)) pending.splice(pending.indexOf(msg), 1);
          commit(symbol, wm);
        },
        (err) => {
          msg.inFlight = false;
          stats.sendErrors += 1;
          tw.log("delivery failed, kept for the next change", String(err));
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
    if (!ready) return;
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
    if (ready) onMutations([]);
  }

  function stop() {
    running = false;
    observer.disconnect();
  }

  // The session knows what it already received (it may be more than this tab committed before a
  // reload): resend only what it lacks, and start every symbol from the newer watermark.
  function onHello(reply) {
    sessionMarks = (reply && reply.watermarks) || {};
    for (const [symbol, wm] of Object.entries(sessionMarks)) {
      if (watermarks[symbol]) watermarks[symbol] = newer(watermarks[symbol], wm);
    }
    for (const msg of pending.splice(0)) {
      const have = sessionMarks[msg.symbol];
      const keep = msg.order.map((o) => isNew(have, o));
      msg.data.trades = msg.data.trades.filter((_, i) => keep[i]);
      msg.order = msg.order.filter((_, i) => keep[i]);
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
  tw.send({ kind: "hello", script: "tape", url: location.href }).then(onHello, () => onHello(null));
  return {
    control,
    dispose() {
      stop();
      for (const msg of pending) msg.inFlight = false;
      return { watermarks, pending, seq };
    },
  };
}

if (tw.siteMatches("tradovate")) tw.install("tape", TRADEWIRE_VERSION, createTape);
