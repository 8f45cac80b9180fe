// Behaviour the portal pages declare with data attributes, so no page carries inline script
// (the Content-Security-Policy allows scripts from this site only: governance/settings/base.py).
//   <select data-autosubmit>       submits its form when changed
//   <button data-confirm="...">    asks before submitting; cancelling stops the submission
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("[data-autosubmit]") && field.form) {
      field.form.submit();
    }
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
})();
