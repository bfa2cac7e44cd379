// Passkeys on the hosted pages: adding one on the account's security page, signing in with one on the sign-in page
// (its button, or the username field's autofill), and using one as the second step after a password (any `data-passkey` other than "register" asks for an assertion).
// Each passkey form is hidden in the HTML and shown only here, when the browser can do WebAuthn, so a page without
// JavaScript (or with an old browser) shows nothing it cannot do. The ceremony itself: options fetched from the IdP
// (a challenge it keeps for this session or sign-in), the browser's dialog through SimpleWebAuthnBrowser, and its
// answer put in the form, which is then submitted as any other form: the IdP's answer is an ordinary page or redirect.
(function () {
  // The page gives this script its words in its own language (views/partials/passkey-scripts.ejs), English otherwise.
  const words = (document.currentScript && document.currentScript.dataset) || {};
  const webauthn = window.SimpleWebAuthnBrowser;
  if (!webauthn || !webauthn.browserSupportsWebAuthn()) return;
  // WebAuthn takes a domain as relying party, never an IP address: reached at one, the IdP cannot offer passkeys.
  if (/^[\d.]+$|^\[/.test(location.hostname)) return;

  const explain = (error) => {
    // Cancelled, timed out, or no passkey for this site on the authenticator: the browser does not say which.
    if (error && error.name === 'NotAllowedError') return words.notAllowed || 'No passkey was used. You can try again.';
    if (error && error.name === 'InvalidStateError') {
      return words.alreadyRegistered || 'This authenticator already has a passkey here.';
    }
    return words.failed || 'Passkeys did not work in this browser just now. You can try again.';
  };

  // What the page says instead of a passkey form it cannot show.
  for (const fallback of document.querySelectorAll('[data-passkey-fallback]')) fallback.hidden = true;
  // Forms that can end a sign-in tell the IdP this browser can make a passkey, so it may offer one afterwards.
  for (const ready of document.querySelectorAll('input[data-passkey-ready]')) ready.value = '1';

  // The IdP's options for one ceremony (a fresh challenge each time); undefined when the page went elsewhere.
  const optionsFor = async (form) => {
    const answer = await fetch(form.dataset.optionsUrl, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { accept: 'application/json' },
      body: new URLSearchParams({ csrf: form.elements.csrf.value }),
    });
    if (answer.status === 401) {
      // The session is too old to change sign-in methods: sign in again, then back to this page.
      const { signIn } = await answer.json();
      if (signIn) {
        location.assign(signIn);
        return undefined;
      }
    }
    if (!answer.ok) throw new Error(`options: ${answer.status}`);
    return answer.json();
  };

  const answerWith = (form, response) => {
    form.elements.response.value = JSON.stringify(response);
    form.submit();
  };

  // The sign-in page's username field offers the site's passkeys among its autofill suggestions (WebAuthn's
  // conditional mediation, `autocomplete="username webauthn"`): picking one signs in, with no button pressed. The
  // request waits in the background; a ceremony started by a button aborts it, and it starts again afterwards.
  const autofill = async (form) => {
    if (!(await webauthn.browserSupportsWebAuthnAutofill())) return;
    try {
      const optionsJSON = await optionsFor(form);
      if (optionsJSON) answerWith(form, await webauthn.startAuthentication({ optionsJSON, useBrowserAutofill: true }));
    } catch {
      // Aborted by a button's ceremony, or the browser gave up: the button stays the way in.
    }
  };

  for (const form of document.querySelectorAll('form[data-passkey]')) {
    const section = form.closest('[data-passkey-section]') || form;
    const status = section.querySelector('[data-passkey-status]');
    const button = form.querySelector('button[type="submit"]');
    const offersAutofill = 'autofill' in form.dataset;
    section.hidden = false;
    if (offersAutofill) autofill(form);

    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (status) status.textContent = '';
      if (button) button.disabled = true;
      try {
        const optionsJSON = await optionsFor(form);
        if (!optionsJSON) return;
        answerWith(
          form,
          form.dataset.passkey === 'register'
            ? await webauthn.startRegistration({ optionsJSON })
            : await webauthn.startAuthentication({ optionsJSON }),
        );
      } catch (error) {
        if (status) status.textContent = explain(error);
        if (button) button.disabled = false;
        if (offersAutofill) autofill(form);
      }
    });
  }
})();
