// The visit form made quicker; it all works without this script too. Parts are added from
// <template>s, only the fields that matter show, a task pre-ticks its usual hazards, and a draft
// stays on this phone (localStorage, never the server) until the visit is saved.
(function () {
  "use strict";
  var DRAFT_LIFETIME_MS = 7 * 864e5; // a forgotten draft does not linger on a shared phone
  var store = window.localStorage;

  function all(root, selector) {
    return Array.prototype.slice.call(root.querySelectorAll(selector));
  }
  function total(form, prefix) {
    return form.querySelector('input[name="' + prefix + '-TOTAL_FORMS"]');
  }
  function room(form, prefix) {
    var max = form.querySelector('input[name="' + prefix + '-MAX_NUM_FORMS"]');
    return !max || parseInt(total(form, prefix).value, 10) < parseInt(max.value, 10);
  }
  function fromTemplate(id, values) {
    var html = document.getElementById(id).innerHTML;
    Object.keys(values).forEach(function (key) {
      html = html.split(key).join(String(values[key]));
    });
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    return holder.firstElementChild;
  }

  function addChild(form) {
    if (!room(form, "children")) return null;
    var count = total(form, "children"), n = parseInt(count.value, 10);
    var part = fromTemplate("child-template", { __prefix__: n, __childnumber__: n + 1 });
    form.querySelector("[data-children]").appendChild(part);
    count.value = n + 1;
    return part;
  }

  function addActivity(form, child) {
    var prefix = "children-" + child + "-activities";
    if (!total(form, prefix) || !room(form, prefix)) return null;
    var count = total(form, prefix), n = parseInt(count.value, 10);
    var part = fromTemplate("activity-template", {
      __prefix__: child, __activitynumber__: n + 1, __activity__: n,
    });
    form.querySelector('[data-activities="' + child + '"]').appendChild(part);
    count.value = n + 1;
    return part;
  }

  function refresh(form) {
    var household = form.querySelector('select[name="household"]');
    var kind = form.querySelector('select[name="kind"]');
    form.querySelector("[data-new-household]").hidden = household.value !== "new";
    form.querySelector("[data-site-field]").hidden = !/^(site|school)$/.test(kind.value);
    all(form, "[data-child]").forEach(function (child) {
      var prefix = "children-" + child.getAttribute("data-child");
      var existing = child.querySelector('select[name="' + prefix + '-existing"]');
      var remove = child.querySelector('input[name="' + prefix + '-DELETE"]');
      child.querySelector("[data-new-child]").hidden = existing.value !== "";
      child.classList.toggle("is-removed", remove.checked);
    });
    all(form, "[data-activity]").forEach(function (activity) {
      activity.classList.toggle("is-removed", activity.querySelector('[name$="-DELETE"]').checked);
    });
  }

  function preTickHazards(select) {
    var option = select.options[select.selectedIndex];
    var usual = ((option && option.getAttribute("data-hazards")) || "").split(" ");
    all(select.closest("[data-activity]"), 'input[name$="-hazards"]').forEach(function (box) {
      box.checked = usual.indexOf(box.value) >= 0;
    });
  }

  // The household's children come from the server; offline, the lists keep what they had.
  function loadChildOptions(form, household, done) {
    var url = form.getAttribute("data-child-options-url") + "?household=";
    fetch(url + encodeURIComponent(household), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (options) {
        if (options === null) return;
        var template = document.getElementById("child-template").content;
        all(form, 'select[name$="-existing"]')
          .concat(all(template, 'select[name$="-existing"]'))
          .forEach(function (select) {
            var kept = select.value;
            select.innerHTML = options;
            select.value = kept;
            if (select.value !== kept) select.value = "";
          });
        refresh(form);
        if (done) done();
      })
      .catch(function () {});
  }

  // Drafts: the visible fields' values, and how many children and activities there were.
  function fields(form) {
    return all(form, "input[name], select[name], textarea[name]").filter(function (field) {
      return !/^(hidden|submit|button)$/.test(field.type);
    });
  }

  function saveDraft(form) {
    var draft = { savedAt: Date.now(), counts: {}, values: {} };
    all(form, 'input[name$="-TOTAL_FORMS"]').forEach(function (count) {
      draft.counts[count.name] = count.value;
    });
    fields(form).forEach(function (field) {
      if (field.type === "checkbox" || field.type === "radio") {
        draft.values[field.name] = draft.values[field.name] || [];
        if (field.checked) draft.values[field.name].push(field.value);
      } else {
        draft.values[field.name] = field.value;
      }
    });
    try {
      store.setItem(form.getAttribute("data-draft-key"), JSON.stringify(draft));
    } catch (error) {} // storage full or disabled: the form works without a draft
  }

  function readDraft(key) {
    try {
      var draft = JSON.parse(store.getItem(key) || "null");
      if (draft && draft.values && Date.now() - draft.savedAt < DRAFT_LIFETIME_MS) return draft;
      store.removeItem(key);
    } catch (error) {}
    return null;
  }

  function apply(form, values, suffix) {
    fields(form).forEach(function (field) {
      if (!(field.name in values) || (suffix && !field.name.endsWith(suffix))) return;
      var value = values[field.name];
      if (field.type === "checkbox" || field.type === "radio") {
        field.checked = Array.isArray(value) && value.indexOf(field.value) >= 0;
      } else {
        field.value = value;
      }
    });
  }

  function restoreDraft(form) {
    var draft = readDraft(form.getAttribute("data-draft-key"));
    if (!draft) return;
    var counts = draft.counts || {};
    var children = parseInt(counts["children-TOTAL_FORMS"] || "0", 10);
    while (parseInt(total(form, "children").value, 10) < children && addChild(form)) {}
    for (var child = 0; child < children; child += 1) {
      var prefix = "children-" + child + "-activities";
      var wanted = parseInt(counts[prefix + "-TOTAL_FORMS"] || "0", 10);
      while (total(form, prefix) && parseInt(total(form, prefix).value, 10) < wanted) {
        if (!addActivity(form, child)) break;
      }
    }
    apply(form, draft.values);
    refresh(form);
    var household = form.querySelector('select[name="household"]').value;
    if (/^[0-9]+$/.test(household)) {
      loadChildOptions(form, household, function () {
        apply(form, draft.values, "-existing");
        refresh(form);
      });
    }
    document.getElementById("draft-notice").hidden = false;
  }

  var pending = null;
  function saveSoon(form) {
    window.clearTimeout(pending);
    pending = window.setTimeout(function () { saveDraft(form); }, 300);
  }
  function visitForm(element) {
    return element.closest ? element.closest("form[data-draft-key]") : null;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button");
    if (!button) return;
    if (button.hasAttribute("data-discard-draft")) {
      var open = document.querySelector("form[data-draft-key]");
      if (open) store.removeItem(open.getAttribute("data-draft-key"));
      window.location.assign(window.location.pathname + window.location.search);
      return;
    }
    var form = visitForm(button), part;
    if (!form) return;
    if (button.hasAttribute("data-add-child")) {
      part = addChild(form);
    } else if (button.hasAttribute("data-add-activity")) {
      part = addActivity(form, button.getAttribute("data-add-activity"));
    } else {
      return;
    }
    event.preventDefault();
    refresh(form);
    var first = part && part.querySelector("select, input:not([type=hidden]), textarea");
    if (first) first.focus();
    saveSoon(form);
  });

  document.addEventListener("change", function (event) {
    var field = event.target, form = visitForm(field);
    if (!form) return;
    if (field.name === "household") loadChildOptions(form, field.value);
    if (/-task$/.test(field.name)) preTickHazards(field);
    refresh(form);
    saveSoon(form);
  });

  document.addEventListener("input", function (event) {
    var form = visitForm(event.target);
    if (form) saveSoon(form);
  });

  // Enter in a text box presses the hidden first button (Check result): fetch it in place.
  document.addEventListener("submit", function (event) {
    var form = event.target, check = form.querySelector && form.querySelector("[hx-post]");
    var submitter = event.submitter;
    if (check && submitter && submitter.hasAttribute("data-enter-default")) {
      event.preventDefault();
      check.click();
    }
  });

  document.body.addEventListener("htmx:afterSwap", function (event) {
    var form = document.querySelector("form[data-draft-key]");
    if (form) refresh(form);
    if (event.detail.target.id === "visit-preview") document.getElementById("preview-title").focus();
  });

  all(document, "[data-clear-draft]").forEach(function (element) {
    store.removeItem(element.getAttribute("data-clear-draft"));
  });

  var form = document.querySelector("form[data-draft-key]");
  if (form) {
    if (form.hasAttribute("data-draft-restore")) restoreDraft(form);
    refresh(form);
  }
})();
