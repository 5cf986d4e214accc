// The page's own alert rendering (not part of tradewire capture).
(() => {
  const params = new URLSearchParams(location.search);
  const hash = params.get("version") === "v2" ? "a7Bq2Xy1" : "ULNSeceN";
  const dismiss = Number(params.get("dismiss") || 4000);
  const c = (name) => `${name}-${hash}`;
  const now = () => performance.timeOrigin + performance.now();
  const h = (tag, cls, text) => {
    const el = document.createElement(tag);
    if (cls) el.className = cls;
    if (text !== undefined) el.textContent = text;
    return el;
  };
  const clock = () => new Date().toTimeString().slice(0, 8);
  const tv = (window.__tv = { insertedAt: {}, fired: [] });
  const logItems = JSON.parse(localStorage.getItem("sim.alertlog") || "[]");

  function autoClose(el) {
    setTimeout(() => el.remove(), dismiss);
  }

  function logEntry(alert) {
    const item = h("div", c("item")); item.dataset.name = "alert-log-item";
    const name = h("div", c("name"), alert.name);
    const message = h("div", c("message"), alert.message);
    const ticker = h("div", c("ticker"), alert.symbol);
    const time = h("div", c("time"), alert.time);
    item.append(name, message, ticker, time);
    return item;
  }

  function renderLog() {
    const log = document.getElementById("log");
    log.replaceChildren(...logItems.map(logEntry));
  }

  function toast(alert, asImage) {
    const root = h("div", `${c("toast")} ${c("popupDialog")}`);
    const header = h("div", c("header"));
    const title = h("span", c("title"), "Alert on ");
    const link = h("a", "js-symbol", alert.symbol); link.dataset.symbol = "BINANCE:" + alert.symbol;
    title.append(link); header.append(title);
    const description = h("div", c("description"));
    if (asImage) {
      const canvas = document.createElement("canvas");
      canvas.width = 600; canvas.height = 40;
      const g = canvas.getContext("2d");
      g.fillStyle = "#fff"; g.fillRect(0, 0, 600, 40);
      g.fillStyle = "#000"; g.font = "20px sans-serif"; g.fillText(alert.message, 6, 27);
      description.append(canvas);
    } else description.textContent = alert.message;
    root.append(header, h("div", c("name"), alert.name), description, h("div", c("time"), alert.time));
    return root;
  }

  // Show one alert in the given pop-up generation and record when it entered the DOM. An alert
  // whose pop-up notification is turned off (`popup: false`) reaches only the log.
  tv.fire = (generation, alert, { log = true, popup = true } = {}) => {
    alert = { name: "My alert", time: clock(), symbol: "BTCUSDT", ...alert };
    tv.fired.push(alert.message);
    if (popup) {
      let el;
      if (generation === "single-dialog") {
        el = h("div", "tv-alert-single-notification-dialog");
        el.append(h("div", "tv-alert-single-notification-dialog__title", "Alert on " + alert.symbol),
          h("div", "tv-alert-single-notification-dialog__message", alert.message),
          h("button", "tv-alert-notification-dialog__button--ok", "OK"));
        document.body.append(el);
      } else if (generation === "dialog") {
        el = h("div", "tv-dialog");
        el.append(h("div", "tv-alert-notification-dialog__title", "Alert on " + alert.symbol),
          h("div", "tv-alert-notification-dialog__subtitle", alert.message));
        document.body.append(el);
      } else {
        el = toast(alert, generation === "image-toast");
        document.getElementById("toasts").append(el);
      }
      tv.insertedAt[alert.message] = now();
      autoClose(el);
    }
    if (!log) return alert.message;
    logItems.unshift(alert);
    localStorage.setItem("sim.alertlog", JSON.stringify(logItems.slice(0, 50)));
    setTimeout(() => {
      document.getElementById("log").prepend(logEntry(alert));
      if (!popup) tv.insertedAt[alert.message] = now();
    }, 0);
    return alert.message;
  };

  // Several alerts at once in one "Alert Notifications" dialog; later ones join its rows.
  tv.fireMultiple = (alerts) => {
    let dialog = document.querySelector(".tv-alerts-multiple-notifications-dialog");
    if (!dialog) {
      dialog = h("div", "tv-dialog tv-alerts-multiple-notifications-dialog");
      dialog.append(h("div", "tv-alert-notification-dialog__title", "Alert Notifications"),
        h("div", "tv-alerts-multiple-notifications-dialog__fired-count", "0"), h("div", "rows"));
      document.body.append(dialog);
      autoClose(dialog);
    }
    const rows = dialog.querySelector(".rows");
    for (const a of alerts) {
      const alert = { time: clock(), symbol: "BTCUSDT", ...a };
      const row = h("div", "tv-alerts-multiple-notifications-dialog__row");
      row.append(h("div", "", alert.symbol), h("div", "", alert.message), h("div", "", "—"), h("div", "", alert.time));
      rows.append(row);
      tv.insertedAt[alert.message] = now();
      tv.fired.push(alert.message);
    }
    dialog.querySelector(".tv-alerts-multiple-notifications-dialog__fired-count").textContent = String(rows.children.length);
  };

  // `count` alerts spread over `spanMs`, each from its own timer task.
  tv.burst = (generation, messages, spanMs) => {
    messages.forEach((message, i) => setTimeout(() => tv.fire(generation, { message }), (spanMs * i) / messages.length));
  };
  tv.rerenderLog = renderLog;
  renderLog();
})();
