// Drives the decision signature from the application page: the portal prepares the
// document (@sign-prepare), zhangdian-signer on this PC signs it with the USB key, the
// portal verifies and records the decision (@sign-complete). The key never leaves the PC.
(function () {
  "use strict";

  function say(form, text, failed) {
    const status = form.querySelector(".zd-sign-status");
    status.textContent = text;
    status.classList.toggle("alert-danger", Boolean(failed));
    status.classList.toggle("alert-info", !failed);
    status.hidden = false;
  }

  async function postJson(url, body, extraHeaders) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: Object.assign(
        { "Content-Type": "application/json", Accept: "application/json" },
        extraHeaders || {}
      ),
      body: JSON.stringify(body),
    });
    let data = {};
    try {
      data = await response.json();
    } catch (error) {
      data = { message: response.statusText };
    }
    if (!response.ok) {
      throw new Error(data.message || response.statusText);
    }
    return data;
  }

  async function signWithAgent(form) {
    const text = form.dataset;
    const decision = form.querySelector("input[name=transition]:checked");
    if (!decision) {
      say(form, text.msgChoose, true);
      return;
    }
    const reason = form.querySelector("textarea[name=reason]").value;
    const application = text.applicationUrl;
    try {
      say(form, text.msgPreparing);
      const prepared = await postJson(application + "/@sign-prepare", {
        transition: decision.value,
        reason: reason,
      });
      say(form, text.msgAgent);
      let signed;
      try {
        signed = await postJson(text.agentUrl + "/sign", {
          nonce: prepared.nonce,
          data_to_sign: prepared.data_to_sign,
          // The agent digests and shows this document; the summary must agree with it.
          document: prepared.document,
          summary: prepared.summary,
        });
      } catch (error) {
        if (error instanceof TypeError) {
          throw new Error(text.msgNoAgent);
        }
        throw error;
      }
      say(form, text.msgVerifying);
      await postJson(application + "/@sign-complete", {
        nonce: prepared.nonce,
        signature: signed.signature,
        certificate: signed.certificate,
      });
      say(form, text.msgDone);
      window.location.reload();
    } catch (error) {
      say(form, error.message, true);
    }
  }

  document.addEventListener("click", function (event) {
    const button = event.target.closest(".zd-sign-agent");
    if (button) {
      event.preventDefault();
      signWithAgent(button.closest("form"));
    }
  });
})();

// A refused decision comes back with its messages at the top of the form: take the eye there.
(function () {
  "use strict";
  const errors = document.getElementById("zd-decision-errors");
  if (errors) {
    errors.focus();
    errors.scrollIntoView({ block: "center" });
  }
})();
