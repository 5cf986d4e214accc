// tradewire in-page runtime: one namespace, replaceable installs, and the transport to Python.
// Expects `TRADEWIRE_CONFIG` in scope: {account, transport: "binding"|"http", binding, baseUrl,
// token, webhookSecret, consoleData, autoStart, sites: {name: [regex source, ...]}}.
const tw = (window.__tradewire = window.__tradewire || { installed: {} });

tw.now = () => performance.timeOrigin + performance.now();

tw.log = (...args) => {
  if (TRADEWIRE_CONFIG.debug) console.debug("[tradewire]", ...args);
};

tw.siteMatches = (site) => {
  const patterns = (TRADEWIRE_CONFIG.sites || {})[site] || [];
  return window.top === window && patterns.some((p) => new RegExp(p).test(location.href));
};

// Replace a running instance (`tradewire capture reload`): stop the old one and hand its
// undelivered messages to the new one, so a reload never drops or repeats what is in flight.
tw.install = (name, version, factory) => {
  const previous = tw.installed[name];
  if (previous && previous.version > version) return previous;
  const handover = previous ? previous.dispose() : null;
  const instance = factory(handover);
  instance.version = version;
  tw.installed[name] = instance;
  return instance;
};

// Offer what a refused delivery left waiting again after a backoff (250 ms, doubling to 10 s),
// so a quiet page does not hold it until its next change; `reset()` after a delivery succeeds.
tw.retrier = (pump) => {
  let timer = null;
  let delay = 250;
  return {
    later() {
      if (timer) return;
      timer = setTimeout(() => {
        timer = null;
        pump();
      }, delay);
      delay = Math.min(delay * 2, 10000);
    },
    reset() {
      delay = 250;
    },
    dispose() {
      clearTimeout(timer);
      timer = null;
    },
  };
};

// The binding is fire-and-forget; the session answers with `tw.reply(id, reply)`, and
// acknowledges tape messages together with `tw.ackTape(lastId)` (one answer in flight at a time).
tw.waiting = tw.waiting || new Map();
tw.lastId = tw.lastId || 0;
tw.reply = (id, reply) => {
  const waiter = tw.waiting.get(id);
  if (waiter) {
    tw.waiting.delete(id);
    waiter(reply);
  }
};
tw.ackTape = (upTo) => {
  for (const [id, waiter] of tw.waiting) {
    if (waiter.tape && id <= upTo) tw.reply(id, { ok: true });
  }
};

function bindingSend(message) {
  const fn = window[TRADEWIRE_CONFIG.binding];
  if (typeof fn !== "function") return Promise.reject(new Error("tradewire binding missing"));
  message.id = ++tw.lastId;
  // A refusal that a retry can fix rejects (the script keeps the message); any other reply,
  // including "this message is invalid", settles it.
  return new Promise((resolve) => {
    const waiter = (reply) => resolve(reply || {});
    waiter.tape = message.kind === "tape";
    tw.waiting.set(message.id, waiter);
    fn(JSON.stringify(message));
  }).then((reply) => {
    if (reply.ok === false && reply.retry) throw new Error(reply.error);
    return reply;
  });
}

function httpPost(path, body, contentType) {
  const url = TRADEWIRE_CONFIG.baseUrl.replace(/\/$/, "") + path;
  const headers = { "Content-Type": contentType };
  if (TRADEWIRE_CONFIG.token) headers.Authorization = "Bearer " + TRADEWIRE_CONFIG.token;
  // A userscript manager's request function crosses origins; plain fetch is the fallback.
  if (typeof GM_xmlhttpRequest === "function") {
    return new Promise((resolve, reject) =>
      GM_xmlhttpRequest({
        method: "POST", url, headers, data: body,
        onload: (r) => resolve(r.status),
        onerror: () => reject(new Error("network error")),
      }),
    ).then(httpOutcome);
  }
  return fetch(url, { method: "POST", headers, body }).then((r) => httpOutcome(r.status));
}

// As over the binding: what a retry can fix (the server busy or down, a timeout, a rate limit)
// rejects and is kept; any other refusal (an invalid message, a bad token) settles it.
function httpOutcome(status) {
  if (status < 300) return {};
  if (status >= 500 || status === 408 || status === 429) throw new Error("HTTP " + status);
  tw.log("delivery refused", status);
  return { ok: false, error: "HTTP " + status };
}

// Over HTTP there is no session to ask for watermarks, and alerts go to the webhook endpoint.
function httpSend(message) {
  if (message.kind === "tape") {
    return httpPost("/api/scraper/ingest", JSON.stringify(message.data), "application/json");
  }
  if (message.kind === "alert") {
    const secret = TRADEWIRE_CONFIG.webhookSecret;
    const path = "/webhook/tradingview" + (secret ? "/" + encodeURIComponent(secret) : "");
    return httpPost(path, message.message, "text/plain");
  }
  return Promise.resolve({});
}

tw.send = (message) => {
  message.account = TRADEWIRE_CONFIG.account;
  if (message.kind === "tape" && TRADEWIRE_CONFIG.consoleData) {
    console.log("[SCRAPER_DATA] " + JSON.stringify(message.data));
  }
  return TRADEWIRE_CONFIG.transport === "http" ? httpSend(message) : bindingSend(message);
};
