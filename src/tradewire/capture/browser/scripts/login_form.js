// What a site's login form looks like: the one place that knows (Tradovate's trader shows
// `#name-input` / `#password-input` and a "Login" button; TradingView's sign-in first offers
// methods, `button[name="Email"]`, then `#id_username` / `#id_password` and "Sign in").
// Matched by structure and attributes, not by class names, which change between releases.
const LOGIN = {
  password: 'input[type="password"]:not([autocomplete="new-password"])',
  user: [
    'input[autocomplete="username"]', 'input[autocomplete="email"]', 'input[type="email"]',
    'input[name*="user" i]', 'input[id*="user" i]', 'input[name*="email" i]',
    'input[id*="email" i]', 'input[name*="login" i]', 'input[id*="login" i]',
    'input[name="name"]', 'input[id="name-input"]',
  ].join(", "),
  textTypes: ["text", "email", "tel"],
  submitText: /^\s*(log\s*in|login|sign\s*in|continue|submit)\s*$/i,
  // TradingView's "Email" method button, only inside a box that talks about signing in.
  emailOption: 'button[name="Email"]',
  emailText: /^\s*e-?mail\s*$/i,
  signInBox: /sign\s*in|log\s*in/i,
  error: '[role="alert"], .alert-danger, [class*="error" i], [class*="invalid" i]',
};

function loginShown(el) {
  return !!el && !el.disabled && el.getClientRects().length > 0
    && getComputedStyle(el).visibility !== "hidden";
}

// The form to fill: {user, password, submit} (user and submit may be null), or {option} (a
// sign-in method to pick first), or null.
function findLoginForm() {
  const password = [...document.querySelectorAll(LOGIN.password)].find(loginShown);
  if (!password) {
    const option = [...document.querySelectorAll('button, [role="button"]')].find((el) => {
      if (!loginShown(el)) return false;
      if (!el.matches(LOGIN.emailOption) && !LOGIN.emailText.test(el.textContent)) return false;
      const box = el.closest('[role="dialog"], dialog, form, section, main');
      return !!box && LOGIN.signInBox.test(box.textContent);
    });
    return option ? { option } : null;
  }
  const scope = password.form || password.closest('[role="dialog"], dialog, section, main')
    || document.body;
  const inputs = [...scope.querySelectorAll("input")].filter(loginShown);
  const before = inputs.slice(0, inputs.indexOf(password))
    .filter((el) => LOGIN.textTypes.includes(el.type)).reverse();
  const user = before.find((el) => el.matches(LOGIN.user)) || before[0] || null;
  const buttons = [...scope.querySelectorAll('button, input[type="submit"], [role="button"]')]
    .filter(loginShown);
  const submit = buttons.find((el) => LOGIN.submitText.test(el.textContent || el.value || ""))
    || buttons.find((el) => el.type === "submit") || null;
  return { user, password, submit };
}

// What the page shows now: a login form (or a method choice), and its error text if any.
function loginState() {
  const form = findLoginForm();
  const errors = [...document.querySelectorAll(LOGIN.error)]
    .filter((el) => loginShown(el) && !el.querySelector(LOGIN.error))
    .map((el) => el.textContent.trim()).filter(Boolean);
  return {
    form: !!(form && form.password),
    option: !!(form && form.option),
    error: errors.join(" ").slice(0, 200),
  };
}

// Tell the session when a login form (or method choice) appears in this document: a
// MutationObserver, so nothing polls, and timers throttled in background tabs do not matter.
// Returns {doc: this document's id, check(): report a form already shown (for a new session)}.
function watchLoginForms(notify) {
  const doc = Math.random().toString(36).slice(2);
  let shown = "";
  const check = () => {
    const candidates = document.querySelectorAll(`${LOGIN.password}, ${LOGIN.emailOption}`);
    const now = [...candidates].some(loginShown)
      ? (findLoginForm() || {}).password ? "form" : "option"
      : "";
    if (now && now !== shown) notify(doc);
    shown = now;
  };
  const observe = () => {
    new MutationObserver(check).observe(document, {
      childList: true, subtree: true, attributes: true,
      attributeFilter: ["class", "style", "hidden", "disabled", "type"],
    });
    check();
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", observe);
  else observe();
  return { doc, check: () => { shown = ""; check(); } };
}
