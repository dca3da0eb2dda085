// The edit page's ways to add images besides the file picker: drop files on the Image field, paste
// them, or pick images already in the studio (history or a team library). Dropped and pasted files
// go into the "Image" file input, so the server receives ordinary uploads; picked images become
// hidden "source" inputs, so nothing is downloaded or uploaded again. No dependencies; its own
// words come from Django's JavaScript catalog (/jsi18n/), in the page's language.
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
    var chosenList = form.querySelector("[data-chosen-list]");

    function addFiles(files) {
      var images = Array.prototype.filter.call(files, function (file) {
        return IMAGE_TYPES.indexOf(file.type) !== -1;
      });
      if (!images.length) return false;
      var transfer = new DataTransfer();
      if (imageInput.multiple) {
        Array.prototype.forEach.call(imageInput.files, function (file) {
          transfer.items.add(file);
        });
      }
      images.slice(0, imageInput.multiple ? images.length : 1).forEach(function (file) {
        transfer.items.add(file);
      });
      imageInput.files = transfer.files;
      imageInput.dispatchEvent(new Event("change", { bubbles: true }));
      return true;
    }

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

    // "Use this image" in the picker (loaded by htmx into #image-picker).
    form.addEventListener("click", function (event) {
      var button = event.target.closest("[data-pick-image]");
      if (!button) return;
      var id = button.getAttribute("data-pick-image");
      if (chosenList.querySelector('input[name="source"][value="' + id + '"]')) return;
      var item = document.createElement("li");
      item.setAttribute("data-chosen-image", "");
      item.setAttribute("data-src", button.getAttribute("data-src"));
      var picture = document.createElement("img");
      picture.src = button.getAttribute("data-thumbnail");
      picture.alt = interpolate(
        gettext("Chosen image %(number)s"),
        { number: chosenList.children.length + 1 },
        true
      );
      var hidden = document.createElement("input");
      hidden.type = "hidden";
      hidden.name = "source";
      hidden.value = id;
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "link";
      remove.setAttribute("data-remove-chosen", "");
      remove.textContent = gettext("Don't use this one");
      item.append(picture, hidden, remove);
      chosenList.append(item);
      chosenList.hidden = false;
      button.setAttribute("aria-pressed", "true");
      form.dispatchEvent(new Event("chosen-images-changed"));
    });
  }

  document.querySelectorAll("[data-edit-form]").forEach(setUp);
})();
