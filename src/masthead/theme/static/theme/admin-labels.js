// Names for what Wagtail 8's admin leaves unnamed (issue 13 §7), loaded on every admin page
// by theme/wagtail_hooks.py:
// - the rich text editor (Draftail's role="textbox"), wagtail/wagtail#14205, and the tag
//   field's typing box (tag-it's input): a field's <label for> points at the hidden input
//   the widget replaces, not at what the editor types into (axe: aria-input-field-name,
//   label);
// - a chooser's modal dialog (axe: aria-dialog-name).
// Each gets aria-labelledby pointing at its visible label or heading. Blocks added to a
// StreamField later, editors React draws again and modals opened later are named when
// they appear.
(function () {
  "use strict";

  function named(element) {
    return Boolean(element && element.textContent.trim());
  }

  function labelId(input) {
    if (!input.id) return null;
    var label = document.querySelector('label[for="' + CSS.escape(input.id) + '"]');
    // Otherwise the nearest block around it that has a name: a StructBlock's child has
    // its label beside it, without "for"; a StreamField's block (a paragraph is the field
    // itself) has its type in its header; a list's items have neither.
    for (var block = input.closest("[data-contentpath]"); block && !named(label); ) {
      label =
        block.querySelector(":scope > label") ||
        block.querySelector(":scope > section > .w-panel__header .c-sf-block__type");
      block = block.parentElement && block.parentElement.closest("[data-contentpath]");
    }
    if (!named(label)) return null;
    // A StructBlock's labels are drawn without an id; the field panels' have this one.
    if (!label.id) label.id = input.id + "-label";
    return label.id;
  }

  function name(input, control) {
    if (!control || control.hasAttribute("aria-labelledby") || control.hasAttribute("aria-label")) {
      return;
    }
    var id = labelId(input);
    if (id) control.setAttribute("aria-labelledby", id);
  }

  function nameAll() {
    // The editor's wrapper follows the hidden input that holds its value.
    document.querySelectorAll('[data-draftail-editor-wrapper] [role="textbox"]').forEach(function (box) {
      var input = box.closest("[data-draftail-editor-wrapper]").previousElementSibling;
      if (input && input.tagName === "INPUT") name(input, box);
    });
    // A chooser's modal dialog: named by the heading its content brings ("Choose
    // contributor"), which carries the same id as the page's own heading beneath.
    document.querySelectorAll('.modal[role="dialog"]:not([aria-labelledby])').forEach(function (modal) {
      var heading = modal.querySelector(".modal-body h1");
      if (!named(heading)) return;
      heading.id = "modal-title-" + ++modals;
      modal.setAttribute("aria-labelledby", heading.id);
    });
    document.querySelectorAll('input[data-controller~="w-tag"]').forEach(function (input) {
      var list = input.nextElementSibling;
      if (list && list.classList.contains("tagit")) name(input, list.querySelector(".tagit-new input"));
    });
  }

  var modals = 0;
  var pending = false;
  function soon() {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () {
      pending = false;
      nameAll();
    });
  }

  function start() {
    nameAll();
    new MutationObserver(soon).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
