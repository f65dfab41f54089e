// Plain-English words for django-otp-webauthn's passkey script (served from its package), which
// asks `gettext` for every message it shows; and, once a passkey is added, the page that names it.
// A classic script, so it runs before the library's module script.
(function () {
  "use strict";
  var words = {
    "Register a Passkey": "Add a passkey",
    "Registering...": "Adding a passkey…",
    "Finishing registration...": "Adding a passkey…",
    "Registration successful!": "Passkey added.",
    "Registration aborted.": "The passkey was not added.",
    "Registration aborted or not allowed.": "The passkey was not added. Try again, or use another device.",
    "Registration failed. You most likely already have a Passkey registered for this site.":
      "This device already has a passkey for EIP.",
    "Registration failed. A technical problem occurred that prevents you from registering a Passkey for this site.":
      "Passkeys cannot be added on this address. Use the service’s usual address, or an authenticator app.",
    "Registration failed. Unable to fetch registration options from server.": "The passkey was not added. Try again.",
    "Registration failed. The server was unable to verify this passkey.": "The passkey was not added. Try again.",
    "Registration failed. A server error occurred.": "The passkey was not added. Try again.",
    "Registration failed. An unknown error occurred.": "The passkey was not added. Try again.",
    "An error occurred during registration.": "The passkey was not added. Try again.",
    "Verify with Passkey": "Use your passkey",
    "Verifying...": "Checking your passkey…",
    "Finishing verification...": "Checking your passkey…",
    "Verification successful!": "Passkey accepted.",
    "Verification aborted.": "The passkey was not used. Try again, or enter a code.",
    "Verification canceled or not allowed.": "The passkey was not used. Try again, or enter a code.",
    "Verification failed. Could not retrieve parameters from the server.": "The passkey was not checked. Try again.",
    "Verification failed. An unknown error occurred.": "The passkey was not checked. Try again.",
    "Verification failed. An unknown server error occurred.": "The passkey was not checked. Try again.",
    "Verification failed. A server error occurred.": "The passkey was not checked. Try again.",
    "An error occurred during verification.": "The passkey was not checked. Try again."
  };
  window.gettext = function (text) {
    return Object.prototype.hasOwnProperty.call(words, text) ? words[text] : text;
  };
  document.addEventListener("otp_webauthn.register_complete", function (event) {
    var next = event.detail && event.detail.response && event.detail.response.redirect_url;
    if (next && next.charAt(0) === "/" && next.charAt(1) !== "/") {
      window.location.assign(next);
    }
  });
})();
