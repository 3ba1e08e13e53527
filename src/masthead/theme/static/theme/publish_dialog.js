// The article's publish dialog (newsroom/publishing.py): the time field only for "at a
// time", the language warning only when the newsletter's language differs, and the dialog
// opened again when the server found something to fix in it.
(function () {
  "use strict";

  function sync(dialog) {
    var at = dialog.querySelector("input[name='publish-when'][value='at']");
    var scheduled = Boolean(at && at.checked);
    var atField = dialog.querySelector("[data-publish-at]");
    if (atField) atField.hidden = !scheduled;
    var label = dialog.querySelector("button[name='action-publish'] [data-w-progress-target='label']");
    if (label) label.textContent = scheduled ? dialog.dataset.scheduleLabel || label.textContent : dialog.dataset.publishLabel || label.textContent;

    var send = dialog.querySelector("input[name='email-send']");
    var details = dialog.querySelector("[data-email-details]");
    if (details && send) details.hidden = !send.checked;
    var select = dialog.querySelector("select[name='email-newsletter']");
    var confirm = dialog.querySelector("[data-language-confirm]");
    if (select && confirm) {
      var option = select.options[select.selectedIndex];
      var language = option ? option.dataset.language : "";
      confirm.hidden = !language || language === confirm.dataset.articleLanguage;
    }
  }

  function syncAll() {
    document.querySelectorAll("[data-publish-dialog]").forEach(sync);
  }

  function init() {
    // The dialog is moved out of its <template> when Wagtail's scripts connect it, so
    // its fields are found through the document rather than once at load.
    document.addEventListener("change", function (event) {
      var dialog = event.target.closest && event.target.closest("[data-publish-dialog]");
      if (dialog) sync(dialog);
    });
    document.addEventListener("click", function (event) {
      if (event.target.closest && event.target.closest("[data-publish-open]")) {
        window.setTimeout(syncAll, 0);
      }
    });
    var opener = document.querySelector("[data-publish-errors]");
    if (opener) {
      // Wagtail's dialogs connect once the admin's scripts have run.
      window.setTimeout(function () { opener.click(); }, 300);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
