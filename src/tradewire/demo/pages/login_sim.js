// The simulated sites' own login (not part of tradewire capture). The page keeps the typed values
// from `input` events, as React-controlled inputs do, posts them to the page server's
// /sim/login, shows the site's error on a refusal and opens the trader or chart page on success.
// Query: next (page to open after login), expired=1 (the notice a site shows after a timeout).
(() => {
  const params = new URLSearchParams(location.search);
  const site = document.body.dataset.site;
  const next = params.get("next") || (site === "tradovate" ? "tradovate.html" : "tradingview.html");
  const $ = (selector) => document.querySelector(selector);
  const typed = { username: "", password: "" };
  const sim = (window.__login = { submitted: 0 });

  if (params.get("expired") === "1") {
    const notice = $("#notice");
    notice.textContent = "Your session has expired. Please log in again.";
    notice.hidden = false;
  }

  function bind(user, password, button, error) {
    user.addEventListener("input", () => { typed.username = user.value; });
    password.addEventListener("input", () => { typed.password = password.value; });
    const busy = (on) => {
      for (const el of [user, password, button]) el.disabled = on;
    };
    async function submit(event) {
      if (event) event.preventDefault();
      if (button.disabled) return;
      sim.submitted += 1;
      error.hidden = true;
      busy(true);
      const reply = await fetch("/sim/login", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ site, username: typed.username, password: typed.password }),
      });
      if (reply.ok) {
        setTimeout(() => location.assign(next), 100);
        return;
      }
      const body = await reply.json();
      busy(false);
      password.value = typed.password = "";
      error.textContent = body.error;
      error.hidden = false;
    }
    button.addEventListener("click", submit);
    password.addEventListener("keydown", (event) => { if (event.key === "Enter") submit(event); });
    if (password.form) password.form.addEventListener("submit", submit);
  }

  if (site === "tradovate") {
    bind($("#name-input"), $("#password-input"), $("#login"), $("#error"));
    return;
  }
  // TradingView: pick a sign-in method first; "Email" shows the username/password form.
  $("#email-method").addEventListener("click", () => {
    $("#methods").hidden = true;
    $("#email-form").hidden = false;
    bind($("#id_username"), $("#id_password"), $("#email-form button[type=submit]"), $("#error"));
  });
})();
