// The edit page's mask painter: paint over the first chosen image to mark the area to change.
//
// The painted overlay is a canvas at the image's natural size laid over the picture. After every
// change (stroke, undo, redo, invert, clear) it is exported as a PNG of that size whose painted
// area is transparent (alpha 0) and the rest opaque — what image APIs call a mask — and put into
// the "Mask" file input, so the server receives an ordinary upload. Undo keeps snapshots of the
// overlay; zoom and pan are a CSS transform of the stage, so pointer maths reads the canvas's box
// on screen and needs no zoom of its own. No dependencies; its own words come from Django's
// JavaScript catalog (/jsi18n/), in the page's language.
(function () {
  "use strict";

  var gettext = window.gettext || function (text) { return text; };

  var STROKE_RGB = [236, 72, 153]; // shown at half opacity through CSS
  var STROKE_COLOUR = "rgb(" + STROKE_RGB.join(",") + ")";
  var HISTORY_LIMIT = 40;
  var ZOOM_MIN = 1;
  var ZOOM_MAX = 8;

  function setUpEditForm(form) {
    var maskInput = form.querySelector('input[type="file"][name="mask"]');
    var maskField = form.querySelector("[data-mask-field]");
    var painterBox = form.querySelector("[data-mask-painter]");
    var emptyNote = form.querySelector("[data-mask-empty]");
    var viewport = form.querySelector("[data-mask-viewport]");
    var stage = form.querySelector("[data-mask-stage]");
    var picture = form.querySelector("[data-mask-picture]");
    var canvas = form.querySelector("[data-mask-canvas]");
    var cursor = form.querySelector("[data-brush-cursor]");
    var sizeSlider = form.querySelector("[data-brush-size]");
    var toolButtons = form.querySelectorAll("[data-tool]");
    var undoButton = form.querySelector("[data-undo]");
    var redoButton = form.querySelector("[data-redo]");
    var zoomLevel = form.querySelector("[data-zoom-level]");
    var statusLine = form.querySelector("[data-mask-status]");
    var context = canvas.getContext("2d", { willReadFrequently: true });
    var limits = JSON.parse(document.getElementById("model-limits").textContent || "{}");
    // The Model select is swapped by htmx when the workspace changes: look it up each time.
    function chosenModel() {
      var select = form.querySelector("[data-model-select]");
      return select ? select.value : "";
    }
    var state = { tool: "brush", drawing: false, panning: null, last: null, takesMask: true,
                  maskFromPainter: false, pictureKey: null, zoom: 1, panX: 0, panY: 0,
                  undo: [], redo: [] };

    // --- which picture the mask is painted over: the first in the inputs list -----------------
    function showPicture() {
      var first = form.querySelector("[data-chosen-list] [data-chosen-image]");
      var key = first ? first.getAttribute("data-key") : null;
      if (first && key === state.pictureKey) return; // the same picture: keep the painting
      state.pictureKey = key;
      state.undo = [];
      state.redo = [];
      updateHistoryButtons();
      if (!first) {
        painterBox.hidden = true;
        emptyNote.hidden = false;
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
        emptyNote.hidden = true;
        fitStage();
        setZoom(1);
        form.dataset.painterReady = "true";
      };
      delete form.dataset.painterReady;
      picture.src = first.getAttribute("data-src");
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
      // The slider is in screen pixels; the canvas is shown smaller or larger than its size.
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
      if (event.button === 1 || (event.button === 0 && state.tool === "pan")) {
        event.preventDefault();
        canvas.setPointerCapture(event.pointerId);
        state.panning = { x: event.clientX - state.panX, y: event.clientY - state.panY };
        return;
      }
      if (event.button !== 0) return;
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      remember();
      state.drawing = true;
      state.last = null;
      strokeTo(toCanvasPoint(event));
    });
    canvas.addEventListener("pointermove", function (event) {
      moveCursor(event);
      if (state.panning) {
        state.panX = event.clientX - state.panning.x;
        state.panY = event.clientY - state.panning.y;
        applyTransform();
      } else if (state.drawing) {
        strokeTo(toCanvasPoint(event));
      }
    });
    function endStroke() {
      state.panning = null;
      if (!state.drawing) return;
      state.drawing = false;
      state.last = null;
      exportMask();
    }
    canvas.addEventListener("pointerup", endStroke);
    canvas.addEventListener("pointercancel", endStroke);

    // --- the brush preview: a circle of the brush's size following the pointer ------------------
    function moveCursor(event) {
      if (state.tool === "pan" || event.pointerType === "touch") {
        cursor.hidden = true;
        return;
      }
      var box = viewport.getBoundingClientRect();
      var size = Number(sizeSlider.value);
      cursor.style.width = cursor.style.height = size + "px";
      cursor.style.transform =
        "translate(" + (event.clientX - box.left - size / 2) + "px," +
        (event.clientY - box.top - size / 2) + "px)";
      cursor.hidden = false;
    }
    canvas.addEventListener("pointerleave", function () { cursor.hidden = true; });

    function setBrushSize(size) {
      sizeSlider.value = String(size);
      cursor.style.width = cursor.style.height = sizeSlider.value + "px";
    }

    // --- tools -------------------------------------------------------------------------------
    toolButtons.forEach(function (button) {
      button.addEventListener("click", function () {
        state.tool = button.getAttribute("data-tool");
        toolButtons.forEach(function (other) {
          other.setAttribute("aria-pressed", String(other === button));
        });
        canvas.classList.toggle("panning", state.tool === "pan");
      });
    });
    form.querySelector("[data-clear-mask]").addEventListener("click", function () {
      remember();
      context.clearRect(0, 0, canvas.width, canvas.height);
      exportMask();
    });
    form.querySelector("[data-invert-mask]").addEventListener("click", invert);
    undoButton.addEventListener("click", undo);
    redoButton.addEventListener("click", redo);

    function invert() {
      if (!canvas.width) return;
      remember();
      var image = context.getImageData(0, 0, canvas.width, canvas.height);
      var pixels = image.data;
      for (var i = 0; i < pixels.length; i += 4) {
        pixels[i] = STROKE_RGB[0];
        pixels[i + 1] = STROKE_RGB[1];
        pixels[i + 2] = STROKE_RGB[2];
        pixels[i + 3] = 255 - pixels[i + 3];
      }
      context.putImageData(image, 0, 0);
      exportMask();
    }

    // --- undo and redo: snapshots of the overlay, taken before each change ---------------------
    function snapshot() {
      return context.getImageData(0, 0, canvas.width, canvas.height);
    }
    function remember() {
      state.undo.push(snapshot());
      if (state.undo.length > HISTORY_LIMIT) state.undo.shift();
      state.redo = [];
      updateHistoryButtons();
    }
    function undo() {
      if (!state.undo.length) return;
      state.redo.push(snapshot());
      context.putImageData(state.undo.pop(), 0, 0);
      updateHistoryButtons();
      exportMask();
    }
    function redo() {
      if (!state.redo.length) return;
      state.undo.push(snapshot());
      context.putImageData(state.redo.pop(), 0, 0);
      updateHistoryButtons();
      exportMask();
    }
    function updateHistoryButtons() {
      undoButton.disabled = !state.undo.length;
      redoButton.disabled = !state.redo.length;
    }

    // --- fitting the picture to the space: small pictures grow, large ones shrink -------------
    function fitStage() {
      if (!picture.naturalWidth || painterBox.hidden) return;
      var maxHeight = window.innerHeight * (window.innerWidth < 600 ? 0.55 : 0.7);
      var scale = Math.min(viewport.clientWidth / picture.naturalWidth,
                           maxHeight / picture.naturalHeight);
      picture.style.width = Math.floor(picture.naturalWidth * scale) + "px";
      picture.style.height = Math.floor(picture.naturalHeight * scale) + "px";
    }
    new ResizeObserver(fitStage).observe(viewport);

    // --- zoom and pan --------------------------------------------------------------------------
    function applyTransform() {
      stage.style.transform =
        "translate(" + state.panX + "px," + state.panY + "px) scale(" + state.zoom + ")";
      zoomLevel.textContent = Math.round(state.zoom * 100) + "%";
    }
    // Zoom keeping the point under (x, y) of the viewport in place (its centre by default).
    function setZoom(zoom, x, y) {
      zoom = Math.min(ZOOM_MAX, Math.max(ZOOM_MIN, zoom));
      if (zoom === ZOOM_MIN) {
        state.panX = state.panY = 0;
      } else {
        if (x === undefined) {
          x = viewport.clientWidth / 2;
          y = viewport.clientHeight / 2;
        }
        // The stage sits centred in the viewport: measure from its own untransformed corner.
        x -= stage.offsetLeft;
        y -= stage.offsetTop;
        state.panX = x - ((x - state.panX) * zoom) / state.zoom;
        state.panY = y - ((y - state.panY) * zoom) / state.zoom;
      }
      state.zoom = zoom;
      applyTransform();
    }
    form.querySelectorAll("[data-zoom]").forEach(function (button) {
      button.addEventListener("click", function () {
        var how = button.getAttribute("data-zoom");
        setZoom(how === "fit" ? 1 : how === "in" ? state.zoom * 1.5 : state.zoom / 1.5);
      });
    });
    viewport.addEventListener("wheel", function (event) {
      if (!event.ctrlKey && !event.metaKey) return; // a plain wheel scrolls the page
      event.preventDefault();
      var box = viewport.getBoundingClientRect();
      setZoom(state.zoom * (event.deltaY < 0 ? 1.25 : 0.8),
              event.clientX - box.left, event.clientY - box.top);
    }, { passive: false });

    // --- keys: Ctrl+Z, Ctrl+Shift+Z (Ctrl+Y), [ and ] -------------------------------------------
    document.addEventListener("keydown", function (event) {
      if (painterBox.hidden || event.altKey) return;
      var target = event.target;
      // Typing keeps its own undo and brackets.
      if (target.isContentEditable || target.matches("textarea, select, input:not([type=range]):not([type=button])")) return;
      var key = event.key.toLowerCase();
      if ((event.ctrlKey || event.metaKey) && (key === "z" || key === "y")) {
        event.preventDefault();
        if (key === "y" || event.shiftKey) redo();
        else undo();
      } else if (!event.ctrlKey && !event.metaKey && (event.key === "[" || event.key === "]")) {
        event.preventDefault();
        var size = Number(sizeSlider.value);
        var step = Math.max(2, Math.round(size * 0.15));
        setBrushSize(event.key === "]" ? size + step : size - step);
      }
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
      var imageInput = form.querySelector('input[type="file"][name="image"]');
      state.takesMask = limit.mask;
      // A field with an error stays in view, so the person can read why.
      maskField.hidden = !limit.mask && !maskField.classList.contains("has-error");
      form.classList.toggle("without-mask", maskField.hidden);
      painterBox.hidden = !limit.mask || !picture.getAttribute("src");
      if (!limit.mask) setMaskFile(null);
      else if (canvas.width && hasPaint()) exportMask();
      imageInput.multiple = limit.maxImages > 1;
    }

    maskInput.addEventListener("change", function () {
      // A mask file chosen by hand replaces whatever was painted.
      state.maskFromPainter = false;
      context.clearRect(0, 0, canvas.width, canvas.height);
    });
    form.addEventListener("change", function (event) {
      if (event.target.matches("[data-model-select]")) applyModelLimits();
    });
    document.body.addEventListener("fields-swapped", applyModelLimits);
    form.addEventListener("chosen-images-changed", showPicture);
    applyModelLimits();
    showPicture();
  }

  document.querySelectorAll("[data-edit-form]").forEach(setUpEditForm);
})();
