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

// Reference images. edit-inputs.js (shared with the Edit page) puts dropped and pasted files in
// the file input and picked images in the list as hidden "source" inputs; here each one gets a
// thumbnail that can be removed.
function referenceList(form) {
  return form.querySelector("[data-chosen-list]");
}

function showUploads(form) {
  const list = referenceList(form);
  const input = form.querySelector('input[type="file"][name="image"]');
  if (!list || !input) return;
  list.querySelectorAll("[data-upload]").forEach((item) => {
    URL.revokeObjectURL(item.querySelector("img").src);
    item.remove();
  });
  Array.from(input.files).forEach((file, index) => {
    const item = document.createElement("li");
    item.dataset.upload = String(index);
    const picture = document.createElement("img");
    picture.src = URL.createObjectURL(file);
    picture.alt = file.name;
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "link";
    remove.dataset.removeUpload = String(index);
    remove.textContent = list.dataset.removeLabel;
    item.append(picture, remove);
    list.append(item);
  });
  list.hidden = !list.children.length;
}

document.addEventListener("change", (event) => {
  const form = event.target.closest && event.target.closest("form[data-dock]");
  if (form && event.target.matches('input[type="file"][name="image"]')) showUploads(form);
});

document.addEventListener("click", (event) => {
  const form = event.target.closest && event.target.closest("form[data-dock]");
  if (!form) return;
  const chosen = event.target.closest("[data-remove-chosen]");
  const upload = event.target.closest("[data-remove-upload]");
  if (chosen) {
    const item = chosen.closest("[data-chosen-image]");
    const id = item.querySelector('input[name="source"]').value;
    const picked = form.querySelector('[data-pick-image="' + id + '"]');
    if (picked) picked.setAttribute("aria-pressed", "false");
    item.remove();
  } else if (upload) {
    const input = form.querySelector('input[type="file"][name="image"]');
    const kept = new DataTransfer();
    Array.from(input.files).forEach((file, index) => {
      if (String(index) !== upload.dataset.removeUpload) kept.items.add(file);
    });
    input.files = kept.files;
    showUploads(form);
  } else {
    return;
  }
  const list = referenceList(form);
  list.hidden = !list.children.length;
  form.querySelector("[data-prompt-field] textarea").focus();
  form.dispatchEvent(new Event("change", { bubbles: true })); // the budget follows
});
