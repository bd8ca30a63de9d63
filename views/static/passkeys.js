// Passkeys in the browser (docs/moderation.md, "Passkeys"): the one script of the staff pages, loaded
// only where a passkey is offered. It asks the server for a WebAuthn challenge, hands it to
// navigator.credentials.create() or .get(), and posts the authenticator's answer back as JSON
// (binary fields as base64url). Everything is checked on the server; this only carries bytes across.
'use strict';

(function () {
  function toBase64url(buffer) {
    const bytes = new Uint8Array(buffer);
    let text = '';
    for (let i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
    return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  function fromBase64url(value) {
    const base64 = value.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((value.length + 3) % 4);
    const text = atob(base64);
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    return bytes.buffer;
  }

  function descriptors(list) {
    return (list || []).map(function (c) {
      return { type: c.type || 'public-key', id: fromBase64url(c.id), transports: c.transports };
    });
  }

  /** The server's JSON options (as @simplewebauthn/server makes them) as the browser's API wants them. */
  function creationOptions(json) {
    const options = Object.assign({}, json, {
      challenge: fromBase64url(json.challenge),
      user: Object.assign({}, json.user, { id: fromBase64url(json.user.id) }),
      excludeCredentials: descriptors(json.excludeCredentials),
    });
    delete options.hints;
    return options;
  }

  function requestOptions(json) {
    const options = Object.assign({}, json, { challenge: fromBase64url(json.challenge), allowCredentials: descriptors(json.allowCredentials) });
    delete options.hints;
    return options;
  }

  function credentialJson(credential) {
    const r = credential.response;
    const response = { clientDataJSON: toBase64url(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = toBase64url(r.attestationObject);
      response.transports = typeof r.getTransports === 'function' ? r.getTransports() : [];
    } else {
      response.authenticatorData = toBase64url(r.authenticatorData);
      response.signature = toBase64url(r.signature);
      if (r.userHandle) response.userHandle = toBase64url(r.userHandle);
    }
    return { id: credential.id, rawId: toBase64url(credential.rawId), type: credential.type, response: response, clientExtensionResults: {} };
  }

  /** POSTs JSON with the page's CSRF token; resolves to { status, body }. */
  function post(url, token, payload) {
    return fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': token },
      body: JSON.stringify(payload),
    }).then(function (res) {
      return res.json().then(
        function (body) {
          return { status: res.status, body: body };
        },
        function () {
          return { status: res.status, body: { error: 'The server answered ' + res.status + '. Reload the page and try again.' } };
        },
      );
    });
  }

  /** A refusal from the server: shown beside the form, or followed when it says where to go (a sign-in that ended). */
  function ServerRefusal(body) {
    this.message = body.error || 'That did not work.';
    this.redirect = body.redirect;
    this.field = body.field;
  }

  function browserProblem(error) {
    if (error instanceof ServerRefusal) return error.message;
    if (error && error.name === 'NotAllowedError') return 'The passkey prompt was closed or timed out. Try again.';
    if (error && error.name === 'InvalidStateError') return 'This authenticator holds a passkey for your account already.';
    return 'The passkey did not work here (' + (error && error.message ? error.message : String(error)) + ').';
  }

  function expectOk(answer, okStatus) {
    if (answer.status !== okStatus) throw new ServerRefusal(answer.body);
    return answer.body;
  }

  function setup(button, errorBox, run) {
    if (!window.PublicKeyCredential || !navigator.credentials) return;
    const box = document.getElementById(errorBox);
    button.hidden = false;
    const start = function (event) {
      if (event) event.preventDefault();
      button.disabled = true;
      box.hidden = true;
      run().then(
        function (redirect) {
          window.location.assign(redirect);
        },
        function (error) {
          button.disabled = false;
          if (error instanceof ServerRefusal && error.redirect && !error.field) {
            window.location.assign(error.redirect);
            return;
          }
          box.textContent = browserProblem(error);
          box.hidden = false;
        },
      );
    };
    return start;
  }

  const csrf = document.querySelector('input[name="_csrf"]');
  const token = csrf ? csrf.value : '';

  // The sign-in step: a passkey instead of the code.
  const signInButton = document.getElementById('passkey-sign-in');
  if (signInButton) {
    const start = setup(signInButton, 'passkey-error', function () {
      return post('/login/passkey/options', token, {})
        .then(function (answer) {
          return navigator.credentials.get({ publicKey: requestOptions(expectOk(answer, 200)) });
        })
        .then(function (credential) {
          return post('/login/passkey', token, { credential: credentialJson(credential) });
        })
        .then(function (answer) {
          return expectOk(answer, 200).redirect;
        });
    });
    if (start) signInButton.addEventListener('click', start);
  }

  // The ticket page: an approval (or a second approval) confirmed with a passkey instead of the code. The
  // form itself is sent, as without a script, carrying the passkey's answer in place of the code: the
  // server checks it, and a refusal comes back as the ticket page with the form's choices kept.
  const reauthButtons = document.querySelectorAll('button[data-passkey-reauth]');
  for (let i = 0; i < reauthButtons.length; i++) {
    const button = reauthButtons[i];
    const form = button.form;
    if (!form || !window.PublicKeyCredential || !navigator.credentials) continue;
    const box = document.getElementById(button.id + '-problem');
    const code = form.elements.namedItem('code');
    const formToken = form.elements.namedItem('_csrf');
    button.hidden = false;
    button.addEventListener('click', function (event) {
      event.preventDefault();
      box.hidden = true;
      // The passkey stands in for the code; every other field must still be right before the prompt.
      if (code) code.required = false;
      const ready = form.reportValidity();
      if (code) code.required = true;
      if (!ready) return;
      button.disabled = true;
      post(button.getAttribute('data-passkey-reauth'), formToken ? formToken.value : token, {})
        .then(function (answer) {
          return navigator.credentials.get({ publicKey: requestOptions(expectOk(answer, 200)) });
        })
        .then(
          function (credential) {
            let field = form.elements.namedItem('passkey_assertion');
            if (!field) {
              field = document.createElement('input');
              field.type = 'hidden';
              field.name = 'passkey_assertion';
              form.appendChild(field);
            }
            field.value = JSON.stringify(credentialJson(credential));
            if (code) {
              code.value = '';
              code.required = false;
            }
            form.submit();
          },
          function (error) {
            button.disabled = false;
            box.textContent = browserProblem(error);
            box.hidden = false;
          },
        );
    });
  }

  // The account page: add a passkey after a fresh code.
  const addForm = document.getElementById('add-passkey');
  if (addForm) {
    const submit = document.getElementById('add-passkey-submit');
    const start = setup(submit, 'add-passkey-error', function () {
      const payload = { name: addForm.elements.namedItem('name').value, code: addForm.elements.namedItem('code').value };
      return post('/account/security/passkeys/options', token, payload)
        .then(function (answer) {
          return navigator.credentials.create({ publicKey: creationOptions(expectOk(answer, 200)) });
        })
        .then(function (credential) {
          return post('/account/security/passkeys', token, { credential: credentialJson(credential) });
        })
        .then(function (answer) {
          return expectOk(answer, 201).redirect;
        });
    });
    if (start) {
      addForm.hidden = false;
      addForm.addEventListener('submit', start);
    }
    // No authenticator app at hand: an existing passkey confirms it is the person, then the new one is made.
    const byPasskey = document.getElementById('add-passkey-by-passkey');
    const confirmFirst =
      byPasskey &&
      setup(byPasskey, 'add-passkey-error', function () {
        const name = addForm.elements.namedItem('name');
        if (!name.reportValidity()) return Promise.reject(new ServerRefusal({ error: 'Give the new passkey a name first.' }));
        return post('/account/security/passkeys/confirm-options', token, {})
          .then(function (answer) {
            return navigator.credentials.get({ publicKey: requestOptions(expectOk(answer, 200)) });
          })
          .then(function (existing) {
            return post('/account/security/passkeys/options', token, { name: name.value, assertion: credentialJson(existing) });
          })
          .then(function (answer) {
            return navigator.credentials.create({ publicKey: creationOptions(expectOk(answer, 200)) });
          })
          .then(function (credential) {
            return post('/account/security/passkeys', token, { credential: credentialJson(credential) });
          })
          .then(function (answer) {
            return expectOk(answer, 201).redirect;
          });
      });
    if (confirmFirst) byPasskey.addEventListener('click', confirmFirst);
  }
})();
