// The edit page's inputs: every image (uploaded, dropped, pasted or picked from the studio) is a
// thumbnail in one list, in the order the model receives them, with a mark on the first one, which
// the mask applies to. Dropped and pasted files go into the "Image" file input, so the server
// receives ordinary uploads; picked images become hidden "source" inputs, so nothing is downloaded
// or uploaded again. The server sends stored images first (oldest first), then the uploads in the
// input's order: so uploads can be moved among themselves, and stored images are listed first.
// No dependencies; its own words come from Django's JavaScript catalog (/jsi18n/).
(function () {
  "use strict";

  // Without the catalog (it failed to load) the English words still make a working page.
  var gettext = window.gettext || function (text) { return text; };
  var interpolate =
    window.interpolate ||
    function (format, values) {
      return format.replace(/%\((\w+)\)s/g, function (match, name) {
        return String(values[name]);
      });
    };

  var IMAGE_TYPES = ["image/png", "image/jpeg", "image/webp"];

  function setUp(form) {
    var imageInput = form.querySelector('input[type="file"][name="image"]');
    var zone = form.querySelector("[data-drop-zone]");
    var list = form.querySelector("[data-chosen-list]");
    var warning = form.querySelector("[data-input-warning]");
    var rulesLine = form.querySelector("[data-input-rules]");
    // The edit page says what each model takes and has a mask; the studio page's dock (references
    // only) has neither, so both are optional here.
    var limitsData = document.getElementById("model-limits");
    var limits = limitsData ? JSON.parse(limitsData.textContent || "{}") : {};
    var marksTheMask = Boolean(form.querySelector("[data-mask-field]"));
    var uploadUrls = [];

    function chosenLimit() {
      var select = form.querySelector("[data-model-select]");
      return (select && limits[select.value]) || null;
    }

    function setFiles(files) {
      var transfer = new DataTransfer();
      files.forEach(function (file) { transfer.items.add(file); });
      imageInput.files = transfer.files;
      renderUploads();
    }

    function addFiles(files) {
      var images = Array.prototype.filter.call(files, function (file) {
        return IMAGE_TYPES.indexOf(file.type) !== -1;
      });
      if (!images.length) return false;
      var kept = imageInput.multiple ? Array.from(imageInput.files) : [];
      setFiles(kept.concat(images.slice(0, imageInput.multiple ? images.length : 1)));
      return true;
    }

    function button(text, attribute, label) {
      var element = document.createElement("button");
      element.type = "button";
      element.className = "link";
      element.setAttribute(attribute, "");
      element.textContent = text;
      if (label) element.setAttribute("aria-label", label);
      return element;
    }

    // --- the list ------------------------------------------------------------------------------
    function renderUploads() {
      list.querySelectorAll("[data-upload]").forEach(function (item) { item.remove(); });
      uploadUrls.forEach(function (url) { URL.revokeObjectURL(url); });
      uploadUrls = [];
      var files = Array.from(imageInput.files || []);
      files.forEach(function (file, index) {
        var url = URL.createObjectURL(file);
        uploadUrls.push(url);
        var item = document.createElement("li");
        item.setAttribute("data-chosen-image", "");
        item.setAttribute("data-upload", String(index));
        item.setAttribute("data-src", url);
        item.setAttribute("data-key", ["upload", file.name, file.size, file.lastModified].join(":"));
        var picture = document.createElement("img");
        picture.alt = interpolate(gettext("Upload: %(name)s"), { name: file.name }, true);
        picture.addEventListener("load", function () {
          item.setAttribute("data-width", picture.naturalWidth);
          item.setAttribute("data-height", picture.naturalHeight);
          checkRules();
        });
        picture.src = url;
        item.append(picture);
        var name = file.name;
        if (index > 0) {
          item.append(button("←", "data-move-earlier",
            interpolate(gettext("Move %(name)s earlier"), { name: name }, true)));
        }
        if (index < files.length - 1) {
          item.append(button("→", "data-move-later",
            interpolate(gettext("Move %(name)s later"), { name: name }, true)));
        }
        item.append(button(gettext("Remove"), "data-remove-upload",
          interpolate(gettext("Remove %(name)s"), { name: name }, true)));
        list.append(item);
      });
      changed();
    }

    function changed() {
      var items = list.querySelectorAll("[data-chosen-image]");
      list.hidden = items.length === 0;
      list.querySelectorAll("[data-mask-mark]").forEach(function (mark) { mark.remove(); });
      if (items.length && marksTheMask) {
        var mark = document.createElement("span");
        mark.className = "mask-mark";
        mark.setAttribute("data-mask-mark", "");
        mark.textContent = gettext("Mask applies to this image");
        items[0].prepend(mark);
      }
      checkRules();
      form.dispatchEvent(new Event("chosen-images-changed"));
    }

    // What the chosen model takes, said before the person presses Edit (the server checks again).
    function checkRules() {
      var limit = chosenLimit();
      if (rulesLine && limit) rulesLine.textContent = limit.rules;
      var problems = [];
      var items = list.querySelectorAll("[data-chosen-image]");
      if (limit && items.length > limit.maxImages) {
        problems.push(interpolate(
          gettext("This model takes at most %(count)s image(s); remove %(extra)s."),
          { count: limit.maxImages, extra: items.length - limit.maxImages }, true));
      }
      if (limit && limit.square) {
        items.forEach(function (item, index) {
          var width = item.getAttribute("data-width");
          var height = item.getAttribute("data-height");
          if (width && height && width !== height) {
            problems.push(interpolate(
              gettext("Image %(number)s is %(width)s×%(height)s; this model takes only square images."),
              { number: index + 1, width: width, height: height }, true));
          }
        });
      }
      if (!warning) return;
      warning.textContent = problems.join(" ");
      warning.hidden = problems.length === 0;
    }

    form.addEventListener("click", function (event) {
      var target = event.target.closest("[data-remove-upload],[data-move-earlier],[data-move-later],[data-remove-chosen]");
      if (!target) return;
      var item = target.closest("[data-chosen-image]");
      if (target.hasAttribute("data-remove-chosen")) {
        item.remove();
        var id = item.querySelector('input[name="source"]').value;
        var picked = form.querySelector('[data-pick-image="' + id + '"]');
        if (picked) picked.setAttribute("aria-pressed", "false");
        changed();
        return;
      }
      var files = Array.from(imageInput.files);
      var index = Number(item.getAttribute("data-upload"));
      var moved = files.splice(index, 1)[0];
      if (target.hasAttribute("data-move-earlier")) files.splice(index - 1, 0, moved);
      if (target.hasAttribute("data-move-later")) files.splice(index + 1, 0, moved);
      setFiles(files);
      // Keep the keyboard where it was: on the same file's button, or the list.
      var again = list.querySelector('[data-upload="' + files.indexOf(moved) + '"] button');
      (again && files.indexOf(moved) !== -1 ? again : imageInput).focus();
    });

    imageInput.addEventListener("change", renderUploads);
    form.addEventListener("change", function (event) {
      if (event.target.matches("[data-model-select]")) checkRules();
    });
    document.body.addEventListener("fields-swapped", checkRules);

    // --- drop and paste ------------------------------------------------------------------------
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) {
        event.preventDefault();
        zone.classList.add("dragging");
      });
    });
    zone.addEventListener("dragleave", function () {
      zone.classList.remove("dragging");
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      zone.classList.remove("dragging");
      if (event.dataTransfer) addFiles(event.dataTransfer.files);
    });
    document.addEventListener("paste", function (event) {
      var files = event.clipboardData ? event.clipboardData.files : [];
      if (files.length && addFiles(files)) event.preventDefault();
    });

    // --- "Use this image" in the picker (loaded by htmx into #image-picker) ---------------------
    form.addEventListener("click", function (event) {
      var pick = event.target.closest("[data-pick-image]");
      if (!pick) return;
      var id = pick.getAttribute("data-pick-image");
      if (list.querySelector('input[name="source"][value="' + id + '"]')) return;
      var created = pick.getAttribute("data-created");
      var item = document.createElement("li");
      item.setAttribute("data-chosen-image", "");
      item.setAttribute("data-src", pick.getAttribute("data-src"));
      item.setAttribute("data-key", "source:" + id);
      item.setAttribute("data-created", created);
      item.setAttribute("data-width", pick.getAttribute("data-width"));
      item.setAttribute("data-height", pick.getAttribute("data-height"));
      var picture = document.createElement("img");
      picture.src = pick.getAttribute("data-thumbnail");
      picture.alt = interpolate(
        gettext("Chosen image %(number)s"),
        { number: list.querySelectorAll('input[name="source"]').length + 1 },
        true
      );
      var hidden = document.createElement("input");
      hidden.type = "hidden";
      hidden.name = "source";
      hidden.value = id;
      item.append(picture, hidden, button(gettext("Don't use this one"), "data-remove-chosen"));
      // Stored images go first, oldest first: where the server sends them.
      var later = Array.from(list.querySelectorAll("[data-chosen-image]")).find(function (other) {
        return other.hasAttribute("data-upload") || other.getAttribute("data-created") > created;
      });
      list.insertBefore(item, later || null);
      pick.setAttribute("aria-pressed", "true");
      changed();
    });

    renderUploads();
  }

  document.querySelectorAll("[data-edit-form]").forEach(setUp);
})();
