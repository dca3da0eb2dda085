// The edit page's mask painter: paint over the image to mark the area to change.
//
// The painted overlay is a canvas at the image's natural size laid over the picture. After every
// stroke (and on "Clear mask") it is exported as a PNG of that size whose painted area is
// transparent (alpha 0) and the rest opaque — what image APIs call a mask — and put into the
// "Mask" file input, so the server receives an ordinary upload. No dependencies; its own words
// come from Django's JavaScript catalog (/jsi18n/), in the page's language.
(function () {
  "use strict";

  var gettext = window.gettext || function (text) { return text; };

  var STROKE_COLOUR = "rgb(236, 72, 153)"; // shown at half opacity through CSS

  function setUpEditForm(form) {
    var imageInput = form.querySelector('input[type="file"][name="image"]');
    var maskInput = form.querySelector('input[type="file"][name="mask"]');
    var maskField = form.querySelector("[data-mask-field]");
    var painterBox = form.querySelector("[data-mask-painter]");
    var picture = form.querySelector("[data-mask-picture]");
    var canvas = form.querySelector("[data-mask-canvas]");
    var sizeSlider = form.querySelector("[data-brush-size]");
    var toolButtons = form.querySelectorAll("[data-tool]");
    var context = canvas.getContext("2d");
    var limits = JSON.parse(document.getElementById("model-limits").textContent || "{}");
    var statusLine = form.querySelector("[data-mask-status]");
    // The Model select is swapped by htmx when the workspace changes: look it up each time.
    function chosenModel() {
      var select = form.querySelector("[data-model-select]");
      return select ? select.value : "";
    }
    var state = { tool: "brush", drawing: false, last: null, objectUrl: null, takesMask: true,
                  maskFromPainter: false };

    // --- which picture the mask is painted over -------------------------------------------
    function firstChosenSource() {
      var chosen = form.querySelector("[data-chosen-image]");
      return chosen ? chosen.getAttribute("data-src") : null;
    }

    function showPicture() {
      if (state.objectUrl) {
        URL.revokeObjectURL(state.objectUrl);
        state.objectUrl = null;
      }
      var src = firstChosenSource();
      if (!src && imageInput.files && imageInput.files.length) {
        state.objectUrl = URL.createObjectURL(imageInput.files[0]);
        src = state.objectUrl;
      }
      if (!src) {
        painterBox.hidden = true;
        picture.removeAttribute("src");
        if (state.maskFromPainter) setMaskFile(null);
        return;
      }
      picture.onload = function () {
        canvas.width = picture.naturalWidth;
        canvas.height = picture.naturalHeight;
        context.clearRect(0, 0, canvas.width, canvas.height);
        if (state.maskFromPainter) setMaskFile(null);
        painterBox.hidden = !state.takesMask;
        form.dataset.painterReady = "true";
      };
      delete form.dataset.painterReady;
      picture.src = src;
    }

    // --- painting --------------------------------------------------------------------------
    function toCanvasPoint(event) {
      var box = canvas.getBoundingClientRect();
      return {
        x: ((event.clientX - box.left) * canvas.width) / box.width,
        y: ((event.clientY - box.top) * canvas.height) / box.height,
      };
    }

    function brushWidth() {
      // The slider is in screen pixels; the canvas may be shown smaller than its natural size.
      var box = canvas.getBoundingClientRect();
      return (Number(sizeSlider.value) * canvas.width) / Math.max(box.width, 1);
    }

    function strokeTo(point) {
      context.globalCompositeOperation =
        state.tool === "eraser" ? "destination-out" : "source-over";
      context.strokeStyle = STROKE_COLOUR;
      context.fillStyle = STROKE_COLOUR;
      context.lineWidth = brushWidth();
      context.lineCap = "round";
      context.lineJoin = "round";
      context.beginPath();
      if (state.last) {
        context.moveTo(state.last.x, state.last.y);
        context.lineTo(point.x, point.y);
        context.stroke();
      } else {
        context.arc(point.x, point.y, context.lineWidth / 2, 0, 2 * Math.PI);
        context.fill();
      }
      state.last = point;
    }

    canvas.addEventListener("pointerdown", function (event) {
      if (event.button !== 0) return;
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      state.drawing = true;
      state.last = null;
      strokeTo(toCanvasPoint(event));
    });
    canvas.addEventListener("pointermove", function (event) {
      if (state.drawing) strokeTo(toCanvasPoint(event));
    });
    function endStroke() {
      if (!state.drawing) return;
      state.drawing = false;
      state.last = null;
      exportMask();
    }
    canvas.addEventListener("pointerup", endStroke);
    canvas.addEventListener("pointercancel", endStroke);

    toolButtons.forEach(function (button) {
      button.addEventListener("click", function () {
        state.tool = button.getAttribute("data-tool");
        toolButtons.forEach(function (other) {
          other.setAttribute("aria-pressed", String(other === button));
        });
      });
    });
    form.querySelector("[data-clear-mask]").addEventListener("click", function () {
      context.clearRect(0, 0, canvas.width, canvas.height);
      setMaskFile(null);
    });

    // --- the exported mask -----------------------------------------------------------------
    function hasPaint() {
      var pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
      for (var i = 3; i < pixels.length; i += 4) {
        if (pixels[i] !== 0) return true;
      }
      return false;
    }

    function exportMask() {
      if (!canvas.width || !hasPaint()) {
        setMaskFile(null);
        return;
      }
      var mask = document.createElement("canvas");
      mask.width = canvas.width;
      mask.height = canvas.height;
      var maskContext = mask.getContext("2d");
      maskContext.fillStyle = "#000";
      maskContext.fillRect(0, 0, mask.width, mask.height);
      // Punch the painted area out of the opaque sheet: painted = alpha 0 = "change this".
      maskContext.globalCompositeOperation = "destination-out";
      maskContext.drawImage(canvas, 0, 0);
      // Synchronous on purpose: the file is in the input before any submit can happen.
      setMaskFile(dataUrlToFile(mask.toDataURL("image/png"), "mask.png"));
    }

    function dataUrlToFile(dataUrl, name) {
      var bytes = atob(dataUrl.split(",")[1]);
      var buffer = new Uint8Array(bytes.length);
      for (var i = 0; i < bytes.length; i++) buffer[i] = bytes.charCodeAt(i);
      return new File([buffer], name, { type: "image/png" });
    }

    function setMaskFile(file) {
      var transfer = new DataTransfer();
      if (file) transfer.items.add(file);
      maskInput.files = transfer.files;
      state.maskFromPainter = Boolean(file);
      form.dataset.maskPainted = file ? "true" : "false";
      if (statusLine) {
        statusLine.textContent = file
          ? gettext("Mask ready: the painted area will change.")
          : gettext("Nothing painted yet.");
      }
    }

    // --- following the chosen model and images ---------------------------------------------
    function applyModelLimits() {
      var limit = limits[chosenModel()] || { mask: true, maxImages: 1 };
      state.takesMask = limit.mask;
      // A field with an error stays in view, so the person can read why.
      maskField.hidden = !limit.mask && !maskField.classList.contains("has-error");
      painterBox.hidden = !limit.mask || !picture.getAttribute("src");
      if (!limit.mask) setMaskFile(null);
      else if (canvas.width && hasPaint()) exportMask();
      imageInput.multiple = limit.maxImages > 1;
    }

    imageInput.addEventListener("change", showPicture);
    maskInput.addEventListener("change", function () {
      // A mask file chosen by hand replaces whatever was painted.
      state.maskFromPainter = false;
      context.clearRect(0, 0, canvas.width, canvas.height);
    });
    form.addEventListener("change", function (event) {
      if (event.target.matches("[data-model-select]")) applyModelLimits();
    });
    document.body.addEventListener("fields-swapped", applyModelLimits);
    // Chosen images come and go (picked from history or a library by edit-inputs.js).
    form.addEventListener("click", function (event) {
      var button = event.target.closest("[data-remove-chosen]");
      if (!button) return;
      var item = button.closest("[data-chosen-image]");
      var list = item.parentNode;
      item.remove();
      if (!list.querySelector("[data-chosen-image]")) list.hidden = true;
      showPicture();
    });
    form.addEventListener("chosen-images-changed", showPicture);
    applyModelLimits();
    showPicture();
  }

  document.querySelectorAll("[data-edit-form]").forEach(setUpEditForm);
})();
