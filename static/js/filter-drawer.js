// The filters of History and a team library sit in a <details> drawer, rendered open. On a
// phone (the width where the header folds too) it starts closed so the first image shows in
// the first screen; its summary counts the active filters. A drawer with an error stays open.
const narrow = window.matchMedia("(max-width: 800px)");

function fit() {
  for (const drawer of document.querySelectorAll("details[data-filter-drawer]")) {
    drawer.open = !narrow.matches || drawer.querySelector(".has-error") !== null;
  }
}

fit();
narrow.addEventListener("change", fit);
