// The header's menu on phones: below 800 px (static/css/studio.css, "phones") the links, the
// language switcher and the logout fold behind the "Menu" button; this module shows the button
// and opens and closes the menu. Without it nothing is folded: the header just wraps.
const header = document.querySelector(".topbar");
const button = header?.querySelector(".menu-toggle");
const menu = button && document.getElementById(button.getAttribute("aria-controls"));

function setOpen(open) {
  button.setAttribute("aria-expanded", String(open));
}

if (menu) {
  header.classList.add("has-menu");
  button.hidden = false;
  button.addEventListener("click", () => {
    setOpen(button.getAttribute("aria-expanded") !== "true");
  });
  // Escape closes the menu and gives the keyboard back to its button.
  header.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
      setOpen(false);
      button.focus();
    }
  });
}
