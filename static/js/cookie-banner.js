// Posts the cookie banner's choice with Django's CSRF token, as Django's documentation shows for a script
// ("Setting the token on the AJAX request"): the token is read from the csrftoken cookie and sent in the
// X-CSRFToken header. The banner's form holds no token because the privacy notice page it is on is served
// from the cache, the same for every visitor. Where the script cannot post (no cookie, or the post is
// refused), the form is sent as it is: a GET that opens the cookie settings page, whose form has a token.
(function () {
  var form = document.querySelector("form[data-cookie-banner]");
  if (!form) {
    return;
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : null;
  }

  form.addEventListener("submit", function (event) {
    var token = csrfToken();
    if (!token) {
      return;
    }
    event.preventDefault();
    var body = new FormData(form);
    if (event.submitter && event.submitter.name) {
      body.append(event.submitter.name, event.submitter.value);
    }
    fetch(form.action, {
      method: "POST",
      body: body,
      headers: { "X-CSRFToken": token },
      credentials: "same-origin",
      // The answer is a redirect back to this page; the page is loaded again below, with the choice in force.
      redirect: "manual",
    })
      .then(function (response) {
        if (response.type === "opaqueredirect" || response.ok) {
          window.location.reload();
        } else {
          form.submit();
        }
      })
      .catch(function () {
        form.submit();
      });
  });
})();
