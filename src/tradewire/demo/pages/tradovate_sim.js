// The simulated exchange feed and the page's own rendering of it (not part of tradewire capture).
(() => {
  const params = new URLSearchParams(location.search);
  const rate = Number(params.get("rate") || 20);
  const symbols = (params.get("symbols") || "NQZ5,ESZ5").split(",");
  const v2 = params.get("variant") === "v2";
  const persist = params.get("persist") === "1";
  const POOL = 40, VISIBLE = 25, ROW_H = 24, CHUNK = 10, KEEP = 300;
  const C = v2 ? {
    main: "fdt_main_9xQa", rows: "fdt_rows_Kd2", wrapper: "fdt_rowWrap_p0Z", row: "fdt_row_Lm3",
    even: "fdt_even_aa1", odd: "fdt_zebra_highlighted_B7", cell: "fdt_cell_Qr8",
    wrap1: "fdt_w1_Zz", wrap2: "fdt_w2_Zz", wrap3: "fdt_w3_Zz", content: "fdt_txt_Pp0",
  } : {
    main: "fixedDataTableLayout_main public_fixedDataTable_main",
    rows: "fixedDataTableLayout_rowsContainer", wrapper: "fixedDataTableRowLayout_rowWrapper",
    row: "fixedDataTableRowLayout_main public_fixedDataTableRow_main public_fixedDataTable_bodyRow",
    even: "public_fixedDataTableRow_even", odd: "public_fixedDataTableRow_highlighted public_fixedDataTableRow_odd",
    cell: "fixedDataTableCellLayout_main public_fixedDataTableCell_main",
    wrap1: "fixedDataTableCellLayout_wrap1", wrap2: "fixedDataTableCellLayout_wrap2",
    wrap3: "fixedDataTableCellLayout_wrap3", content: "public_fixedDataTableCell_cellContent",
  };
  const COLUMNS = ["Timestamp", "Price", "Size", "Accumulated Volume"];
  const now = () => performance.timeOrigin + performance.now();
  const h = (tag, cls, text) => {
    const el = document.createElement(tag);
    if (cls) el.className = cls;
    if (text !== undefined) el.textContent = text;
    return el;
  };
  const fmt = (n) => n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const pad = (n, w = 2) => String(n).padStart(w, "0");
  // Tradovate shows exchange time (CME: US/Central) as `08:52:25.037 10/8/25`.
  const central = new Intl.DateTimeFormat("en-US", { timeZone: "America/Chicago", hourCycle: "h23",
    year: "2-digit", month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit" });
  const showTime = (ms) => {
    const p = Object.fromEntries(central.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
    return `${p.hour}:${p.minute}:${p.second}.${pad(ms % 1000, 3)} ${p.month}/${p.day}/${p.year}`;
  };

  const saved = persist ? JSON.parse(sessionStorage.getItem("sim.state") || "null") : null;
  const sim = (window.__sim = {
    inserted: saved ? saved.inserted : [], insertedAt: {}, state: {}, running: false,
    active: saved ? saved.active : symbols[0],
  });
  const names = { NQZ5: "E-Mini NASDAQ 100", ESZ5: "E-Mini S&P 500" };

  const tabs = document.getElementById("tabs");
  const items = document.getElementById("items");
  for (const symbol of symbols) {
    const s = (sim.state[symbol] = saved && saved.state[symbol] ? saved.state[symbol] : {
      prints: [], price: symbol.startsWith("NQ") ? 25140 : 6700, acc: 0, open: symbol.startsWith("NQ") ? 25039.25 : 6650, volume: 122000,
    });
    const tab = h("li", "lm_tab"); tab.title = symbol;
    tab.append(h("i", "lm_left")); const title = h("span", "lm_title"); title.append(h("span", "", symbol)); tab.append(title);
    tab.onclick = () => sim.activate(symbol);
    tabs.append(tab); s.tab = tab;
    const container = h("div", "lm_item_container");
    const module = h("div", "module time-and-sales");
    const header = h("div", "header");
    header.innerHTML = `<div class="contract-symbol"><span>${symbol}</span></div>
      <small class="text-muted"><span>${names[symbol] || symbol}</span></small>
      <div class="last-price-info"><span class="number">0</span><div class="small"><span>Chg</span><span></span></div></div>
      <div class="info-column"><small class="text-muted">Total Volume</small><span class="number">0</span></div>`;
    const grid = h("div", C.main); grid.setAttribute("role", "grid");
    const head = h("div", "header-row"); const headRow = h("div", ""); headRow.setAttribute("role", "row");
    for (const label of COLUMNS) { const c = h("div", "", label); c.setAttribute("role", "columnheader"); headRow.append(c); }
    head.append(headRow); grid.append(head);
    const rows = h("div", C.rows); rows.dataset.rows = "";
    s.pool = [];
    for (let i = 0; i < POOL; i += 1) {
      const wrapper = h("div", C.wrapper); wrapper.dataset.wrapper = "";
      wrapper.style.cssText = `height:${ROW_H}px; visibility:hidden; transform:translate3d(0px,${-ROW_H * 2}px,0px)`;
      const row = h("div", C.row); row.setAttribute("role", "row");
      const body = h("div", "fixedDataTableRowLayout_body"); const group = h("div", "fixedDataTableCellGroupLayout_cellGroup");
      const cells = COLUMNS.map((_, k) => {
        const cell = h("div", C.cell); cell.setAttribute("role", "gridcell"); cell.style.left = `${k * 110}px`;
        const w1 = h("div", C.wrap1), w2 = h("div", C.wrap2), w3 = h("div", C.wrap3), content = h("div", C.content, "");
        w3.append(content); w2.append(w3); w1.append(w2); cell.append(w1); group.append(cell);
        return { w1, content };
      });
      body.append(group); row.append(body); wrapper.append(row); rows.append(wrapper);
      s.pool.push({ wrapper, row, cells });
    }
    grid.append(rows); module.append(header, grid); container.append(module); items.append(container);
    s.container = container; s.header = header; s.offset = 0;
  }

  function renderHeader(symbol) {
    const s = sim.state[symbol];
    const change = s.price - s.open;
    const last = s.header.querySelector(".last-price-info .number");
    last.textContent = fmt(s.price);
    last.className = "number " + (change >= 0 ? "text-success" : "text-danger");
    s.header.querySelector(".last-price-info .small span:last-child").textContent =
      `${change >= 0 ? "+" : ""}${fmt(change)} (${(change / s.open * 100).toFixed(2)}%)`;
    s.header.querySelector(".info-column .number").textContent = s.volume.toLocaleString("en-US");
  }

  // Recycled rendering: the node showing row i rotates with every insertion, so DOM order is
  // not screen order; rows past the viewport keep their stale text and are hidden.
  function render(symbol) {
    const s = sim.state[symbol];
    for (let i = 0; i < POOL; i += 1) {
      const node = s.pool[(i + s.offset) % POOL];
      const p = s.prints[i];
      if (i >= VISIBLE || !p) {
        node.wrapper.style.visibility = "hidden";
        node.wrapper.style.transform = `translate3d(0px,${-ROW_H * 2}px,0px)`;
        continue;
      }
      node.wrapper.style.visibility = "visible";
      node.wrapper.style.transform = `translate3d(0px,${i * ROW_H}px,0px)`;
      node.row.className = `${C.row} ${i % 2 ? C.odd : C.even}`;
      node.row.setAttribute("aria-rowindex", String(i + 2));
      const texts = [p.timestamp, fmt(p.price), String(p.size), p.acc.toLocaleString("en-US")];
      texts.forEach((t, k) => { if (node.cells[k].content.textContent !== t) node.cells[k].content.textContent = t; });
      node.cells[1].w1.className = `${C.wrap1} tick-${p.cont ? "cont" : "flip"}-${p.dir}`;
    }
    renderHeader(symbol);
  }

  function makePrint(symbol, repeat) {
    const s = sim.state[symbol];
    const prev = s.last || s.prints[0];
    let p;
    if (repeat && prev) p = { ...prev };
    else {
      const step = [-0.25, 0, 0, 0.25][Math.floor(Math.random() * 4)];
      s.price = Math.round((s.price + step) * 4) / 4;
      const dir = step > 0 ? "up" : step < 0 ? "down" : (prev ? prev.dir : "up");
      p = { timestamp: showTime(Date.now()), price: s.price, size: 1 + Math.floor(Math.random() * 5), dir, cont: prev && prev.dir === dir };
    }
    s.acc += p.size; s.volume += p.size; p.acc = s.acc;
    s.last = p;
    return p;
  }

  // Insert `count` prints at the top, CHUNK at a time, each chunk in its own task (as a
  // framework's separate commits would be).
  function insert(symbol, count) {
    return new Promise((resolve) => {
      const channel = new MessageChannel();
      let left = count;
      channel.port1.onmessage = () => {
        const s = sim.state[symbol];
        const n = Math.min(CHUNK, left);
        const fresh = [];
        for (let i = 0; i < n; i += 1) fresh.unshift(makePrint(symbol, i > 0 && Math.random() < 0.15));
        s.prints.unshift(...fresh); s.prints.length = Math.min(s.prints.length, KEEP);
        s.offset = (s.offset + POOL - (n % POOL)) % POOL;
        render(symbol);
        const at = now();
        for (const p of fresh) {
          const key = `${symbol}|${p.timestamp}|${p.price}|${p.size}|${p.acc}`;
          sim.inserted.push(key); sim.insertedAt[key] = at;
        }
        if (persist) save();
        left -= n;
        if (left > 0) channel.port2.postMessage(0); else resolve();
      };
      channel.port2.postMessage(0);
    });
  }

  function save() {
    const state = {};
    for (const [symbol, s] of Object.entries(sim.state)) {
      state[symbol] = { prints: s.prints.slice(0, 60), price: s.price, acc: s.acc, open: s.open, volume: s.volume };
    }
    sessionStorage.setItem("sim.state", JSON.stringify({ state, inserted: sim.inserted, active: sim.active }));
  }

  sim.insert = insert;
  sim.activate = (symbol) => {
    sim.active = symbol;
    for (const [sym, s] of Object.entries(sim.state)) {
      s.tab.classList.toggle("lm_active", sym === symbol);
      s.container.style.display = sym === symbol ? "block" : "none";
    }
  };
  let timer = null, started = 0, done = {};
  sim.start = (perSecond = rate) => {
    sim.stop(); started = now(); done = {};
    for (const symbol of symbols) done[symbol] = 0;
    // The page's own feed; prints it could not show in time would be lost by the page itself,
    // so it inserts in chunks small enough to stay in the viewport.
    timer = setInterval(() => {
      const elapsed = (now() - started) / 1000;
      for (const symbol of symbols) {
        const due = Math.floor(elapsed * (symbol === sim.active ? perSecond : Math.min(perSecond, 2))) - done[symbol];
        if (due > 0) { done[symbol] += due; insert(symbol, due); }
      }
    }, 10);
    sim.running = true;
  };
  sim.stop = () => { if (timer) clearInterval(timer); timer = null; sim.running = false; };
  for (const symbol of symbols) render(symbol);
  sim.activate(sim.active);
  if (params.get("autostart") === "1") sim.start();
})();
