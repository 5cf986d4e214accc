// Tradovate's DOM: every selector and every reading of the page. A UI change is fixed here only.
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
  tick: '[class*="tick-"]',
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
  const priceCell = cells[cols.price];
  const tickEl = priceCell && (priceCell.matches(SELECTORS.tick) ? priceCell : priceCell.querySelector(SELECTORS.tick));
  const tick = tickEl && (SELECTORS.tickClass.exec(tickEl.className) || [])[1];
  const y = /translate3d\([^,]+,\s*(-?[\d.]+)px/.exec(row.parentElement.style.transform || "");
  return { t, key: [shown, price, size, acc].join("|"), y: y ? Number(y[1]) : 0,
    print: { timestamp: shown, price, size, accumulatedVolume: acc, tickDirection: tick || null,
      isHighlighted: SELECTORS.highlightedRow.test(row.className) } };
}

function isHidden(row) {
  return row.parentElement.style.visibility === "hidden" || row.style.visibility === "hidden";
}
