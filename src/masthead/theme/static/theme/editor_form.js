// The page editor as the newsroom needs it (issue 13 §4), on every page form; loaded by
// newsroom/wagtail_hooks.py.
//
// 1. Alternative text from the image's description: choosing an image for a figure or
//    for the hero fills its empty alt field with the description the image library
//    keeps, once per use. The editor may change it; it stays required.
// 2. Tab badges that count every error: Wagtail counts a tab's errors when the form
//    loads, before the body's blocks have drawn theirs, so a tab whose only errors were in
//    the body showed none. Every error that appears (or goes) is counted again.
(function () {
  "use strict";

  // The alt field of each image field: a body figure's "<prefix>-image" has
  // "<prefix>-alt_text" (newsroom/blocks.py FigureBlock); the hero has its own pair.
  function altFieldFor(imageInput) {
    var id = imageInput.id || "";
    if (id === "id_hero_image") return document.getElementById("id_hero_alt");
    if (/-image$/.test(id)) return document.getElementById(id.replace(/-image$/, "-alt_text"));
    return null;
  }

  // Wagtail offers the description, or the image's title when there is none; a title is
  // a file's name, not a description, so it is never offered as alternative text.
  function descriptionOf(chooser) {
    var preview = chooser.querySelector("[data-chooser-image]");
    var title = chooser.querySelector("[data-chooser-title]");
    var text = ((preview && preview.getAttribute("data-default-alt-text")) || "").trim();
    if (!text || (title && text === title.textContent.trim())) return "";
    return text;
  }

  function fillAlt(imageInput) {
    var alt = altFieldFor(imageInput);
    var chooser = document.getElementById(imageInput.id + "-chooser");
    if (!alt || !chooser || !imageInput.value) return;
    // Only an empty field, or one still holding the previous image's description (which
    // describes another picture now): what the editor wrote is theirs.
    var prefilled = alt.getAttribute("data-masthead-prefilled");
    if (alt.value.trim() && alt.value !== prefilled) return;
    var description = descriptionOf(chooser);
    if (alt.value === description) return;
    alt.value = description;
    alt.setAttribute("data-masthead-prefilled", description);
    alt.dispatchEvent(new Event("input", { bubbles: true }));
    alt.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function onChange(event) {
    var input = event.target;
    if (!input || input.tagName !== "INPUT" || input.type !== "hidden") return;
    if (!altFieldFor(input)) return;
    // The chooser announces the new image before it writes the image's description into
    // its preview: read it once the chooser has finished.
    window.setTimeout(function () { fillAlt(input); }, 0);
  }

  var recountPending = false;

  function recountTabErrors() {
    recountPending = false;
    var app = window.wagtail && window.wagtail.app;
    if (!app) return;
    document.querySelectorAll(".w-tabs__errors[data-controller~='w-count']").forEach(function (badge) {
      var counter = app.getControllerForElementAndIdentifier(badge, "w-count");
      if (counter) counter.count();
    });
  }

  function isError(node) {
    return node.nodeType === 1 && (
      node.matches(".error-message, .help-critical") ||
      Boolean(node.querySelector(".error-message, .help-critical"))
    );
  }

  function watchErrors(form) {
    new MutationObserver(function (mutations) {
      var changed = mutations.some(function (mutation) {
        return Array.prototype.some.call(mutation.addedNodes, isError) ||
          Array.prototype.some.call(mutation.removedNodes, isError);
      });
      if (changed && !recountPending) {
        recountPending = true;
        window.requestAnimationFrame(recountTabErrors);
      }
    }).observe(form, { childList: true, subtree: true });
    recountPending = true;
    window.requestAnimationFrame(recountTabErrors);
  }

  function init() {
    var form = document.querySelector("form[data-edit-form]");
    if (!form) return;
    form.addEventListener("change", onChange);
    watchErrors(form);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
