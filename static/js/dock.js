// The studio page's prompt dock: the prompt box grows with its text, and Ctrl+Enter (⌘+Enter on
// a Mac) submits the dock from anywhere in it, unless Generate is disabled (the budget says why
// beside it). The form itself is submitted by htmx (the new job's card goes first in the feed),
// or as a plain form without it. No dependencies.

const MAX_ROWS_HEIGHT = 0.5; // of the window's height: a long prompt scrolls inside the box

function grow(textarea) {
  textarea.style.height = "auto";
  const limit = window.innerHeight * MAX_ROWS_HEIGHT;
  textarea.style.height = Math.min(textarea.scrollHeight + 2, limit) + "px";
}

function submitDock(form) {
  const button = form.querySelector('button[type="submit"]');
  if (!button || button.disabled) return;
  form.requestSubmit(button);
}

document.addEventListener("input", (event) => {
  if (event.target.matches("textarea[data-autogrow]")) grow(event.target);
});

document.addEventListener("keydown", (event) => {
  if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return;
  const form = event.target.closest && event.target.closest("form[data-dock]");
  if (!form) return;
  event.preventDefault();
  submitDock(form);
});

// A dock swapped in again (its errors came back) keeps its size for the text it holds.
document.body.addEventListener("htmx:afterSettle", () => {
  document.querySelectorAll("textarea[data-autogrow]").forEach(grow);
});
document.querySelectorAll("textarea[data-autogrow]").forEach(grow);
