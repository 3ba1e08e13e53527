// The interview exchange in the page editor (newsroom/blocks.py, issue 13 §4).
//
// A new pair starts with its speakers filled in: the question's from the pair before (the
// nearest one with a question speaker), the answer's from the article's first interviewee in
// the "Interviewees" panel, or failing that from the pair before. A collapsed pair is labelled
// with the start of its question (or of its answer, when it has none).
//
// "Paste a transcript" sends the text to the server (newsroom.admin_views.transcript_pairs),
// which reads it and matches names to contributors; the pairs it returns are appended, and
// the names it did not know are listed with a link to add them. Nothing typed is lost: the
// text stays in the box until the pairs are in the form.
(function () {
  "use strict";

  var blocks = window.wagtailStreamField.blocks;
  var SPEAKER_FIELDS = ["question_speaker", "question_speaker_name", "answer_speaker", "answer_speaker_name"];

  function uuid4() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    return "10000000-1000-4000-8000-100000000000".replace(/[018]/g, function (c) {
      return (c ^ (Math.random() * 16) >> (c / 4)).toString(16);
    });
  }

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (match, key) {
      return key in values ? String(values[key]) : match;
    });
  }

  function textOf(child) {
    return (child && child.getTextLabel && child.getTextLabel({ maxLength: 70 })) || "";
  }

  function isEmptyState(state) {
    if (!state) return true;
    return SPEAKER_FIELDS.every(function (name) { return !state[name]; }) &&
      !richTextHasWords(state.question) && !richTextHasWords(state.answer);
  }

  function richTextHasWords(value) {
    // Draftail's state is a JSON content state; an empty editor has blocks with no text.
    if (!value) return false;
    try {
      var parsed = typeof value === "string" ? JSON.parse(value) : value;
      if (!parsed || typeof parsed !== "object") return false;
      return (parsed.blocks || []).some(function (block) { return (block.text || "").trim(); });
    } catch (error) {
      return Boolean(String(value).trim());
    }
  }

  function speakerOf(state, half) {
    var chosen = state[half + "_speaker"];
    var name = state[half + "_speaker_name"];
    return chosen || name ? { chosen: chosen || null, name: chosen ? "" : name || "" } : null;
  }

  // The article's first interviewee still on the form, as a chooser state.
  function interviewee() {
    var inputs = document.querySelectorAll("input[id^='id_subjects-'][id$='-contributor']");
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i];
      if (!input.value || /__prefix__/.test(input.id)) continue;
      var deleted = document.getElementById(input.id.replace(/-contributor$/, "-DELETE"));
      if (deleted && deleted.value) continue;
      var chooser = document.getElementById(input.id + "-chooser");
      if (chooser && chooser.widget && chooser.widget.getState) {
        var state = chooser.widget.getState();
        if (state) return { chosen: state, name: "" };
      }
      var title = chooser && chooser.querySelector("[data-chooser-title]");
      var edit = chooser && chooser.querySelector("[data-chooser-edit-link]");
      return {
        chosen: {
          id: input.value,
          string: title ? title.textContent.trim() : "",
          edit_url: edit ? edit.getAttribute("href") : null,
        },
        name: "",
      };
    }
    return null;
  }

  function nearestBefore(list, index, half) {
    for (var i = index - 1; i >= 0; i--) {
      var speaker = speakerOf(list.children[i].block.getState(), half);
      if (speaker) return speaker;
    }
    return null;
  }

  function withDefaults(state, list, index) {
    var filled = Object.assign({}, state || {});
    var asker = speakerOf(filled, "question") ? null : nearestBefore(list, index, "question");
    if (asker) {
      filled.question_speaker = asker.chosen;
      filled.question_speaker_name = asker.name;
    }
    if (!speakerOf(filled, "answer")) {
      var answerer = interviewee() || nearestBefore(list, index, "answer");
      if (answerer) {
        filled.answer_speaker = answerer.chosen;
        filled.answer_speaker_name = answerer.name;
      }
    }
    return filled;
  }

  class PairBlockDefinition extends blocks.StructBlockDefinition {
    render(placeholder, prefix, initialState, initialError, capabilities) {
      var block = super.render(placeholder, prefix, initialState, initialError, capabilities);
      var labelled = block.getTextLabel.bind(block);
      block.getTextLabel = function (opts) {
        return labelled(opts) || textOf(block.childBlocks.answer);
      };
      return block;
    }
  }

  class ExchangeBlockDefinition extends blocks.StructBlockDefinition {
    render(placeholder, prefix, initialState, initialError, capabilities) {
      var block = super.render(placeholder, prefix, initialState, initialError, capabilities);
      var list = block.childBlocks.pairs;
      var meta = this.meta;
      if (!list) return block;

      list._onRequestInsert = function (index, opts) {
        var data = list._getChildDataForInsertion(opts);
        var state = withDefaults(data[1], list, index);
        list._insert(data[0], state, data[2] || null, index, { animate: true, focus: true });
      };
      // A new exchange arrives with an empty pair: give it its speakers too.
      list.children.forEach(function (child, index) {
        var state = child.block.getState();
        if (isEmptyState(state)) child.block.setState(withDefaults(state, list, index));
      });

      addTranscriptControl(block, list, meta, prefix);
      return block;
    }
  }

  function csrfToken() {
    var input = document.querySelector("input[name='csrfmiddlewaretoken']");
    if (input) return input.value;
    return (window.wagtailConfig && window.wagtailConfig.CSRF_TOKEN) || "";
  }

  function pageContext(form) {
    // The editor's own URL says which page it edits, or under which page it creates one.
    var path = window.location.pathname;
    var edit = path.match(/\/pages\/(\d+)\/edit\//);
    if (edit) form.append("page", edit[1]);
    var add = path.match(/\/pages\/add\/\w+\/\w+\/(\d+)\//);
    if (add) form.append("parent", add[1]);
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text) node.textContent = text;
    return node;
  }

  function addTranscriptControl(block, list, meta, prefix) {
    var strings = meta.strings || {};
    var id = prefix + "-transcript";
    var box = el("div", { class: "masthead-transcript", "data-transcript": "" });
    var open = el("button", { type: "button", class: "button button-small button-secondary", "data-transcript-open": "", "aria-expanded": "false", "aria-controls": id + "-panel" }, strings.open);
    var panel = el("div", { id: id + "-panel", class: "masthead-transcript__panel", hidden: "" });
    var label = el("label", { for: id, class: "w-field__label" }, strings.label);
    var help = el("p", { id: id + "-help", class: "help" }, strings.help);
    // No name: the box is never submitted with the page.
    var text = el("textarea", { id: id, rows: "8", "aria-describedby": id + "-help", "data-transcript-text": "" });
    var actions = el("div", { class: "masthead-transcript__actions" });
    var convert = el("button", { type: "button", class: "button button-small", "data-transcript-convert": "" }, strings.convert);
    var cancel = el("button", { type: "button", class: "button button-small button-secondary", "data-transcript-cancel": "" }, strings.cancel);
    var status = el("div", { class: "masthead-transcript__status", role: "status", "data-transcript-status": "" });
    actions.append(convert, cancel);
    panel.append(label, help, text, actions);
    box.append(open, panel, status);
    block.container[0].prepend(box);

    function show(visible) {
      panel.hidden = !visible;
      open.setAttribute("aria-expanded", visible ? "true" : "false");
      if (visible) text.focus();
    }

    function report(lines, newSpeakers) {
      status.replaceChildren();
      lines.forEach(function (line) { status.append(el("p", {}, line)); });
      if (newSpeakers && newSpeakers.length) {
        var note = el("p", { "data-transcript-new-speakers": "" }, format(strings.newSpeakers, { names: newSpeakers.join(", ") }) + " ");
        note.append(el("a", { href: meta.contributorAddUrl, target: "_blank", rel: "noopener" }, strings.addContributor));
        status.append(note);
      }
    }

    open.addEventListener("click", function () { show(panel.hidden); });
    cancel.addEventListener("click", function () { show(false); open.focus(); });
    convert.addEventListener("click", function () {
      var form = new FormData();
      form.append("transcript", text.value);
      pageContext(form);
      convert.disabled = true;
      report([strings.working]);
      fetch(meta.transcriptUrl, {
        method: "POST",
        body: form,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
      })
        .then(function (response) {
          return response.json().catch(function () { return {}; }).then(function (data) {
            return { ok: response.ok, data: data };
          });
        })
        .then(function (result) {
          if (!result.ok || !Array.isArray(result.data.pairs)) {
            report([result.data.error || strings.failed]);
            return;
          }
          appendPairs(list, result.data.pairs);
          report([format(strings.added, { count: result.data.pairs.length })].concat(result.data.problems || []), result.data.new_speakers);
          text.value = "";
          show(false);
        })
        .catch(function () { report([strings.failed]); })
        .finally(function () { convert.disabled = false; });
    });
  }

  function appendPairs(list, pairs) {
    // The empty pair a new exchange starts with gives way to the transcript's.
    for (var i = list.children.length - 1; i >= 0; i--) {
      var state = list.children[i].block.getState();
      if (!richTextHasWords(state.question) && !richTextHasWords(state.answer)) list.deleteBlock(i, { animate: false });
    }
    pairs.forEach(function (pair) {
      list.insert(pair, list.children.length, { id: uuid4(), collapsed: false });
    });
  }

  window.telepath.register("masthead.newsroom.PairBlock", PairBlockDefinition);
  window.telepath.register("masthead.newsroom.ExchangeBlock", ExchangeBlockDefinition);
})();
