// Passkeys with the browser's own JSON helpers: registration in account security, and
// sign-in by a button or by autofill in the username field (conditional mediation).
// The server keeps the ceremony state; this only carries options and answers.
(() => {
  const supported = window.PublicKeyCredential && PublicKeyCredential.parseCreationOptionsFromJSON;
  const post = async (url, csrf, body) => {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json", "x-csrf-token": csrf },
      body: JSON.stringify(body),
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(answer.error || response.statusText);
    return answer;
  };
  // The technical reason stays in a data attribute, for support and for tests.
  const say = (element, text, error) => {
    if (!element) return;
    element.textContent = text;
    element.dataset.reason = error ? String(error.message || error) : "";
    element.hidden = false;
  };

  const add = document.querySelector("form[data-passkey-add]");
  if (add) {
    if (!supported) { add.hidden = true; } else {
      add.addEventListener("submit", async (event) => {
        event.preventDefault();
        const status = add.querySelector(".passkey-status");
        try {
          const { ceremony, options } = await post(add.dataset.options, add.dataset.csrf, {});
          const credential = await navigator.credentials.create({ publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options.publicKey) });
          await post(add.action, add.dataset.csrf, { ceremony, name: add.elements.name.value, credential: credential.toJSON() });
          location.reload();
        } catch (e) {
          say(status, add.dataset.failed, e);
        }
      });
    }
  }

  const login = document.querySelector("[data-passkey-login]");
  if (login && supported) {
    let pending = null;
    const signIn = async (mediation) => {
      if (pending) pending.abort();
      const controller = new AbortController();
      pending = controller;
      const { ceremony, options } = await post(login.dataset.options, login.dataset.csrf, {});
      const credential = await navigator.credentials.get({
        publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options.publicKey),
        mediation,
        signal: controller.signal,
      });
      const { redirect } = await post(login.dataset.finish, login.dataset.csrf, {
        ceremony, credential: credential.toJSON(), request: login.dataset.request || null, next: login.dataset.next || null,
      });
      location.assign(redirect);
    };
    const button = login.querySelector("button");
    button.hidden = false;
    button.addEventListener("click", () => signIn("optional").catch((e) => {
      if (e.name !== "AbortError") say(login.querySelector(".passkey-status"), login.dataset.failed, e);
    }));
    if (PublicKeyCredential.isConditionalMediationAvailable) {
      PublicKeyCredential.isConditionalMediationAvailable().then((available) => {
        if (available) signIn("conditional").catch(() => {});
      });
    }
  }
})();
