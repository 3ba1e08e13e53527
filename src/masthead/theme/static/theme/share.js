// Copy-link for the share box (theme/includes/share.html): a progressive enhancement.
// Without JavaScript the address stays in a read-only field to select and copy; with it,
// the hidden "Copy link" button appears and copies the address, and the status line says
// so (role="status", so screen readers announce it).
(function () {
  "use strict";
  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy-target"));
    var status = button.parentNode.querySelector('[role="status"]');
    if (!field || !navigator.clipboard) {
      return; // an older browser or a non-secure page: the field is still there
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(
        function () {
          status.textContent = button.getAttribute("data-copied");
        },
        function () {
          field.select();
          status.textContent = button.getAttribute("data-failed");
        }
      );
    });
  });
})();
