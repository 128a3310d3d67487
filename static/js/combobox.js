// Pickers that scale: a text field becomes a WAI-ARIA 1.2 combobox with a listbox popup
// (https://www.w3.org/WAI/ARIA/apg/patterns/combobox/examples/combobox-autocomplete-list/).
//
// The server renders <div class="app-combobox" data-combobox data-source="…"><input …></div>
// (templates/includes/field.html). Without this script it is a plain text field, and the server
// resolves what was typed (navpartner/forms.py). With it, typing asks the search endpoint
// (users/views/search.py, at most 20 suggestions the user may choose) and shows them:
//   ArrowDown / ArrowUp  open the list and move through the suggestions (wrapping);
//   Alt+ArrowDown        open the list without moving;
//   Enter                choose the active suggestion (the form is not sent then);
//   Escape               close the list, or, when closed, empty the field;
//   Tab                  leave the field; the list closes.
// A live region says how many suggestions there are. The chosen suggestion's label, e.g.
// "Kari Nordmann (kari.nordmann)", is what the form sends.
(function () {
  "use strict";

  var DELAY_MS = 150;
  var counter = 0;

  function text(root, name, count) {
    var template = root.getAttribute("data-text-" + name) || "";
    return template.replace("{count}", String(count));
  }

  function Combobox(root) {
    var self = this;
    counter += 1;
    this.root = root;
    this.source = root.getAttribute("data-source");
    this.input = root.querySelector("input");
    this.listbox = document.createElement("ul");
    this.status = document.createElement("div");
    this.options = [];
    this.active = -1;
    this.timer = null;
    this.request = null;
    this.lastQuery = null;

    var listId = (this.input.id || "combobox-" + counter) + "-listbox";
    this.listbox.id = listId;
    this.listbox.className = "app-combobox__list";
    this.listbox.setAttribute("role", "listbox");
    this.listbox.hidden = true;
    var label = document.querySelector("label[for='" + this.input.id + "']");
    if (label) {
      if (!label.id) {
        label.id = this.input.id + "-label";
      }
      this.listbox.setAttribute("aria-labelledby", label.id);
    }
    this.status.className = "sr-only";
    this.status.setAttribute("role", "status");
    this.status.id = this.input.id + "-status";

    this.input.setAttribute("role", "combobox");
    this.input.setAttribute("aria-autocomplete", "list");
    this.input.setAttribute("aria-expanded", "false");
    this.input.setAttribute("aria-controls", listId);
    root.classList.add("app-combobox--enhanced");
    root.appendChild(this.listbox);
    root.appendChild(this.status);

    this.input.addEventListener("input", function () {
      self.schedule();
    });
    this.input.addEventListener("keydown", function (event) {
      self.onKeyDown(event);
    });
    this.input.addEventListener("blur", function () {
      // Let a click on an option land first.
      window.setTimeout(function () {
        self.close();
      }, 150);
    });
    this.listbox.addEventListener("mousedown", function (event) {
      event.preventDefault(); // keep focus in the input
    });
    this.listbox.addEventListener("click", function (event) {
      var option = event.target.closest("[role='option']");
      if (option) {
        self.choose(Number(option.getAttribute("data-index")));
      }
    });
  }

  Combobox.prototype.schedule = function () {
    var self = this;
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(function () {
      self.search(self.input.value);
    }, DELAY_MS);
  };

  Combobox.prototype.search = function (query, then) {
    var self = this;
    if (this.request) {
      this.request.abort();
    }
    this.request = new AbortController();
    var url = this.source + (this.source.indexOf("?") >= 0 ? "&" : "?") + "q=" +
      encodeURIComponent(query.trim());
    this.root.setAttribute("aria-busy", "true");
    fetch(url, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      signal: this.request.signal,
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("search failed: " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        self.root.removeAttribute("aria-busy");
        self.lastQuery = query;
        self.render(data.results || [], Boolean(data.more));
        if (then) {
          then();
        }
      })
      .catch(function (error) {
        if (error.name !== "AbortError") {
          self.root.removeAttribute("aria-busy");
          self.close();
          self.status.textContent = text(self.root, "error", 0);
        }
      });
  };

  Combobox.prototype.render = function (results, more) {
    var self = this;
    this.options = results;
    this.active = -1;
    this.input.removeAttribute("aria-activedescendant");
    this.listbox.textContent = "";
    results.forEach(function (result, index) {
      var option = document.createElement("li");
      option.id = self.listbox.id + "-" + index;
      option.className = "app-combobox__option";
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.setAttribute("data-index", String(index));
      var label = document.createElement("span");
      label.className = "app-combobox__label aksel-body-short";
      label.textContent = result.label;
      option.appendChild(label);
      if (result.description) {
        var description = document.createElement("span");
        description.className = "app-combobox__description aksel-detail";
        description.textContent = result.description;
        option.appendChild(description);
      }
      self.listbox.appendChild(option);
    });
    if (results.length === 0) {
      this.status.textContent = text(this.root, "none", 0);
      this.close();
      return;
    }
    var message = text(this.root, results.length === 1 ? "one" : "count", results.length);
    if (more) {
      message += " " + text(this.root, "more", results.length);
    }
    this.status.textContent = message;
    this.open();
  };

  Combobox.prototype.open = function () {
    // Suggestions that arrive after the user has moved on stay closed.
    if (this.options.length === 0 || document.activeElement !== this.input) {
      return;
    }
    this.listbox.hidden = false;
    this.input.setAttribute("aria-expanded", "true");
  };

  Combobox.prototype.close = function () {
    this.listbox.hidden = true;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
    this.setActive(-1);
  };

  Combobox.prototype.isOpen = function () {
    return !this.listbox.hidden;
  };

  Combobox.prototype.setActive = function (index) {
    var options = this.listbox.querySelectorAll("[role='option']");
    for (var i = 0; i < options.length; i += 1) {
      var on = i === index;
      options[i].setAttribute("aria-selected", on ? "true" : "false");
      options[i].classList.toggle("app-combobox__option--active", on);
    }
    this.active = index;
    if (index >= 0 && options[index]) {
      this.input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    } else {
      this.input.removeAttribute("aria-activedescendant");
    }
  };

  Combobox.prototype.move = function (step) {
    var self = this;
    var go = function () {
      var count = self.options.length;
      if (count === 0) {
        return;
      }
      self.open();
      var next = self.active + step;
      if (self.active < 0) {
        next = step > 0 ? 0 : count - 1;
      }
      self.setActive((next + count) % count);
    };
    if (this.lastQuery !== this.input.value) {
      window.clearTimeout(this.timer);
      this.search(this.input.value, go);
    } else {
      go();
    }
  };

  Combobox.prototype.choose = function (index) {
    var result = this.options[index];
    if (!result) {
      return;
    }
    this.input.value = result.label;
    this.lastQuery = result.label;
    this.close();
    this.status.textContent = text(this.root, "chosen", 0).replace("{label}", result.label);
    this.input.dispatchEvent(new Event("change", { bubbles: true }));
  };

  Combobox.prototype.onKeyDown = function (event) {
    switch (event.key) {
      case "ArrowDown":
        event.preventDefault();
        if (event.altKey) {
          if (this.lastQuery === this.input.value) {
            this.open();
          } else {
            this.search(this.input.value);
          }
        } else {
          this.move(1);
        }
        break;
      case "ArrowUp":
        event.preventDefault();
        this.move(-1);
        break;
      case "Enter":
        if (this.isOpen() && this.active >= 0) {
          event.preventDefault();
          this.choose(this.active);
        }
        break;
      case "Escape":
        if (this.isOpen()) {
          event.preventDefault();
          this.close();
        } else if (this.input.value) {
          event.preventDefault();
          this.input.value = "";
          this.lastQuery = null;
        }
        break;
      case "Tab":
        this.close();
        break;
      default:
        break;
    }
  };

  function init() {
    var roots = document.querySelectorAll("[data-combobox]");
    for (var i = 0; i < roots.length; i += 1) {
      if (window.fetch && window.AbortController && roots[i].getAttribute("data-source")) {
        roots[i].combobox = new Combobox(roots[i]);
      }
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
