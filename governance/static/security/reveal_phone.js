// Staff pages: a masked phone number with a "show" button; the full number is fetched by POST
// (audited on the server) and shown in place. Needs the page's CSRF cookie or form token.
(function () {
  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-reveal-url]");
    if (!button) return;
    event.preventDefault();
    fetch(button.getAttribute("data-reveal-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "XMLHttpRequest" },
    })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(function (data) {
        var holder = button.closest(".phone-reveal");
        holder.querySelector(".phone-value").textContent = data.phone;
        button.remove();
      })
      .catch(function () { button.disabled = true; });
  });
})();
