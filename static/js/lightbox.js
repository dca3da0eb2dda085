// The lightbox on every grid of images: a container marked `data-gallery` whose links carry
// `data-pswp-src/-width/-height` (`{% lightbox_attrs image %}`, studio/templatetags/lightbox.py) opens PhotoSwipe
// (static/vendor/photoswipe/) at full size instead of following the link; without JavaScript, or
// with a modifier key, the link still goes to the image's page.
//
// Clicks are delegated from the document, so grids that htmx swaps in later (a job finishing,
// feed cards, the next page) work without setting anything up again. Under each image sits a panel
// the server renders (GET the link's `data-lightbox-panel`): prompt, actions, and, for an edit, a
// before/after slider against its source. PhotoSwipe, the styles and the words (Django's JavaScript
// catalog, /jsi18n/) are fetched on the first click, so pages without a lightbox pay nothing.

const script = document.querySelector("script[data-lightbox-module]");
const LINK = "a[data-pswp-src]";
const WIDE = 900; // px: the panel sits at the right from here, under the image below it
const PANEL_WIDTH = 340;
const PANEL_HEIGHT_NARROW = 200; // until the panel has come

let lightboxReady = null;

function gettext(text) {
  return window.gettext ? window.gettext(text) : text;
}

function loadCatalog() {
  if (window.gettext) return Promise.resolve();
  return new Promise((resolve) => {
    const catalog = document.createElement("script");
    catalog.src = script.dataset.catalog;
    // Without its words the lightbox still works, in English.
    catalog.onload = catalog.onerror = () => resolve();
    document.head.appendChild(catalog);
  });
}

function loadStyles() {
  return Promise.all(
    script.dataset.styles.split(" ").map(
      (href) =>
        new Promise((resolve) => {
          const link = document.createElement("link");
          link.rel = "stylesheet";
          link.href = href;
          link.onload = link.onerror = () => resolve();
          document.head.appendChild(link);
        }),
    ),
  );
}

// Room for the panel: beside the image on a wide screen, under it on a narrow one (as tall as the
// panel is, once its content has come).
function padding(viewport) {
  if (viewport.x >= WIDE) return { top: 56, bottom: 16, left: 16, right: PANEL_WIDTH + 16 };
  const panel = document.querySelector(".pswp__studio-panel");
  const height = panel && panel.childElementCount ? panel.offsetHeight : PANEL_HEIGHT_NARROW;
  return { top: 56, bottom: height, left: 0, right: 0 };
}

async function makeLightbox() {
  const [{ default: PhotoSwipeLightbox }] = await Promise.all([
    import(script.dataset.pswpLightbox),
    loadCatalog(),
    loadStyles(),
  ]);
  const lightbox = new PhotoSwipeLightbox({
    children: LINK,
    pswpModule: () => import(script.dataset.pswpCore),
    paddingFn: padding,
    bgOpacity: 1, // the page behind would show through the panel and the top bar
    closeTitle: gettext("Close (Esc)"),
    zoomTitle: gettext("Zoom (Z)"),
    arrowPrevTitle: gettext("Previous (←)"),
    arrowNextTitle: gettext("Next (→)"),
    errorMsg: gettext("The image could not be loaded."),
  });
  lightbox.on("uiRegister", () => {
    lightbox.pswp.ui.registerElement({
      name: "studio-panel",
      appendTo: "root",
      order: 9,
      onInit: setUpPanel,
    });
  });
  lightbox.on("afterInit", () => {
    const root = lightbox.pswp.element;
    root.setAttribute("aria-label", gettext("Image viewer"));
    root.setAttribute("aria-modal", "true");
  });
  // PhotoSwipe takes the focus only when opened from the keyboard; take it after a click too, so
  // Tab starts inside the viewer. Its keys work from the same moment (the end of the opening).
  lightbox.on("openingAnimationEnd", () => {
    const root = lightbox.pswp.element;
    if (!root.contains(document.activeElement)) root.focus();
  });
  lightbox.on("keydown", (event) => {
    const keydown = event.originalEvent;
    const { target, key } = keydown;
    // On the before/after slider, ←/→ move the slider, not to the next image (Esc still closes).
    const onSlider = target instanceof HTMLInputElement && target.type === "range";
    if (onSlider && key.startsWith("Arrow")) event.preventDefault();
    if (key === "Tab") {
      event.preventDefault();
      keepFocusInside(lightbox.pswp.element, keydown);
    }
  });
  return lightbox;
}

// Tab from the last control goes back to the first (and Shift+Tab the other way), so focus never
// leaves for the page behind or the browser's own bar, where Esc and the arrows would not reach.
function keepFocusInside(root, keydown) {
  const controls = Array.from(
    root.querySelectorAll("button, a[href], input, select, textarea, [tabindex]:not([tabindex='-1'])"),
  ).filter((control) => !control.disabled && control.getClientRects().length > 0);
  if (!controls.length) return;
  const first = controls[0];
  const last = controls[controls.length - 1];
  const active = document.activeElement;
  if (keydown.shiftKey && (active === first || !root.contains(active) || active === root)) {
    keydown.preventDefault();
    last.focus();
  } else if (!keydown.shiftKey && (active === last || !root.contains(active))) {
    keydown.preventDefault();
    first.focus();
  }
}

function open(gallery, link) {
  lightboxReady = lightboxReady || makeLightbox();
  const index = Array.from(gallery.querySelectorAll(LINK)).indexOf(link);
  lightboxReady.then(
    (lightbox) => lightbox.loadAndOpen(index, { gallery }),
    () => {
      lightboxReady = null; // try again next time; this time, go where the link goes
      window.location.assign(link.href);
    },
  );
}

document.addEventListener("click", (event) => {
  if (event.defaultPrevented || event.button !== 0) return;
  if (event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
  const link = event.target.closest(LINK);
  const gallery = link && link.closest("[data-gallery]");
  if (!gallery || window.pswp) return;
  event.preventDefault();
  open(gallery, link);
});

// --- The panel under (or beside) the image -----------------------------------------------------

function setUpPanel(panel, pswp) {
  panel.setAttribute("role", "region");
  panel.setAttribute("aria-label", gettext("About this image"));
  let shown = 0; // which fetch the panel shows: a slow answer for an earlier image is dropped
  pswp.on("change", async () => {
    const request = ++shown;
    const slide = pswp.currSlide;
    const link = slide.data.element;
    removeComparisons(pswp);
    panel.replaceChildren();
    if (!link || !link.dataset.lightboxPanel) return;
    const response = await fetch(link.dataset.lightboxPanel);
    // A session that ended answers with the login page: no panel then, the links still work.
    if (request !== shown || !response.ok || response.redirected) return;
    const before = panel.offsetHeight;
    panel.innerHTML = await response.text();
    if (panel.offsetHeight !== before) pswp.updateSize(true);
    const compare = panel.querySelector("[data-before-src]");
    if (compare) addComparison(slide, compare);
  });
  pswp.on("imageSizeChange", (event) => fitComparison(event.slide));
  panel.addEventListener("click", (event) => {
    if (event.target.closest("[data-copy-prompt]")) copyPrompt(panel);
  });
  panel.addEventListener("submit", (event) => {
    const form = event.target.closest("form.star");
    if (!form) return;
    event.preventDefault();
    toggleFavourite(form);
  });
}

async function copyPrompt(panel) {
  const status = panel.querySelector("[data-copy-status]");
  const prompt = panel.querySelector("[data-prompt]").textContent.trim();
  status.textContent = "";
  try {
    await navigator.clipboard.writeText(prompt);
    status.textContent = gettext("Copied");
  } catch (error) {
    status.textContent = gettext("Could not copy: select the prompt and copy it yourself.");
  }
}

// The star view answers an htmx-style request with the new star (the form's CSRF token travels in
// its body); the same star on the grid behind is replaced too, so both say the same.
async function toggleFavourite(form) {
  const response = await fetch(form.action, {
    method: "POST",
    body: new FormData(form),
    headers: { "HX-Request": "true" },
  });
  if (!response.ok) return;
  const html = await response.text();
  const action = form.getAttribute("action");
  document.querySelectorAll("form.star").forEach((star) => {
    if (star.getAttribute("action") !== action) return;
    const template = document.createElement("template");
    template.innerHTML = html.trim();
    const fresh = template.content.firstElementChild;
    star.replaceWith(fresh);
    if (star !== form && window.htmx) window.htmx.process(fresh);
  });
  const pressed = document.querySelector(`.pswp form.star[action="${action}"] button`);
  if (pressed) pressed.focus();
}

// --- Before / after ------------------------------------------------------------------------------

// The source image lies over the edit, inside the slide's zoom wrapper (so it zooms and pans with
// it), clipped to the slider's share of the width from the left.
function addComparison(slide, compare) {
  const layer = document.createElement("div");
  layer.className = "lightbox-before";
  layer.setAttribute("aria-hidden", "true");
  const picture = document.createElement("img");
  picture.src = compare.dataset.beforeSrc;
  picture.alt = "";
  const line = document.createElement("div");
  line.className = "lightbox-before-line";
  layer.append(picture, line);
  slide.container.appendChild(layer);
  fitComparison(slide);

  const slider = compare.querySelector("input[type=range]");
  const follow = () => {
    layer.style.setProperty("--before-share", `${slider.value}%`);
    slider.setAttribute("aria-valuetext", `${slider.value}%`);
  };
  follow();
  slider.addEventListener("input", follow);
}

function fitComparison(slide) {
  const layer = slide && slide.container.querySelector(".lightbox-before");
  if (!layer) return;
  layer.style.width = `${slide.content.displayedImageWidth}px`;
  layer.style.height = `${slide.content.displayedImageHeight}px`;
}

function removeComparisons(pswp) {
  pswp.element.querySelectorAll(".lightbox-before").forEach((layer) => layer.remove());
}
