// The idle sign-out warning (the GOV.UK timeout warning pattern). The server ends a session
// after SESSION_COOKIE_AGE seconds without a request; a couple of minutes before, this opens a
// modal dialog offering to stay signed in (a small POST that refreshes the session) or to sign
// out now. Served by the app as a module: the CSP allows no inline script.
const dialog = document.getElementById("eip-timeout-warning");

function minutesAndSeconds(seconds) {
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  const parts = [];
  if (minutes) parts.push(`${minutes} minute${minutes === 1 ? "" : "s"}`);
  if (rest || !minutes) parts.push(`${rest} second${rest === 1 ? "" : "s"}`);
  return parts.join(" ");
}

if (dialog && typeof dialog.showModal === "function") {
  const idleSeconds = Number(dialog.dataset.idleSeconds);
  const warnSeconds = Math.min(Number(dialog.dataset.warningSeconds), idleSeconds);
  const countdown = dialog.querySelector("[data-countdown]");
  const announcement = dialog.querySelector("[data-announcement]");
  const stay = dialog.querySelector("[data-stay-signed-in]");
  let expiresAt = 0;
  let warnTimer = null;
  let tick = null;

  const schedule = () => {
    expiresAt = Date.now() + idleSeconds * 1000;
    clearTimeout(warnTimer);
    warnTimer = setTimeout(open, (idleSeconds - warnSeconds) * 1000);
  };

  const update = () => {
    const left = Math.max(0, Math.round((expiresAt - Date.now()) / 1000));
    countdown.textContent = minutesAndSeconds(left);
    if (left === 0) {
      // The server has ended the session: reloading shows the sign-in page, which brings
      // the user back here once signed in.
      clearInterval(tick);
      window.location.reload();
    }
  };

  function open() {
    update();
    // Screen readers hear the time once, when the dialog opens, not every second.
    announcement.textContent = `You will be signed out in ${countdown.textContent}.`;
    if (!dialog.open) dialog.showModal();
    stay.focus();
    tick = setInterval(update, 1000);
  }

  let refreshing = false;
  const staySignedIn = async () => {
    if (refreshing) return;
    refreshing = true;
    clearInterval(tick);
    if (dialog.open) dialog.close();
    let response = null;
    try {
      response = await fetch(dialog.dataset.keepAliveUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": dialog.dataset.csrfToken },
        redirect: "manual",
      });
    } catch {
      response = null; // the app could not be reached: reloading shows what the user can do
    } finally {
      refreshing = false;
    }
    if (!response || response.status !== 204) {
      // Already signed out (the answer is the way to the sign-in page): show it.
      window.location.reload();
      return;
    }
    schedule();
  };

  // Keep Tab and Shift+Tab inside the dialog while it is open.
  dialog.addEventListener("keydown", (event) => {
    if (event.key !== "Tab") return;
    const buttons = [...dialog.querySelectorAll("button")];
    const [first, last] = [buttons[0], buttons[buttons.length - 1]];
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  });
  stay.addEventListener("click", staySignedIn);
  // Escape closes the dialog: "not now" means staying signed in, as in the GOV.UK pattern.
  dialog.addEventListener("close", staySignedIn);
  schedule();
}
