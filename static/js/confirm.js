// Destructive actions ask first. A form (or its submit button) with `data-confirm="Delete …?"`
// opens a native <dialog> naming what goes; Confirm submits the form with `confirm=yes`, Cancel or
// Escape keeps everything. Without JavaScript the server asks instead (studio/views/confirm.py),
// so this only saves a page load.
//
// A count of checked boxes fills `%(count)s`: `data-confirm-count="image"` counts the checked
// inputs of that name in the form; `data-confirm-one` is the sentence for exactly one. With none
// checked the form goes as it is, and the server says to select something first.

const script = document.querySelector("script[data-confirm-module]");
const FIELD = "confirm";
let dialog = null;

function buildDialog() {
  const element = document.createElement("dialog");
  element.className = "confirm-dialog";
  element.setAttribute("aria-labelledby", "confirm-dialog-question");
  const form = document.createElement("form");
  form.method = "dialog";
  const question = document.createElement("p");
  question.id = "confirm-dialog-question";
  const actions = document.createElement("div");
  actions.className = "actions";
  const cancel = document.createElement("button");
  cancel.value = "cancel";
  cancel.textContent = script.dataset.no;
  cancel.autofocus = true; // Enter right after the click keeps things
  const confirm = document.createElement("button");
  confirm.value = "confirm";
  confirm.className = "danger";
  confirm.textContent = script.dataset.yes;
  actions.append(cancel, confirm);
  form.append(question, actions);
  element.append(form);
  document.body.append(element);
  return element;
}

function questionFor(form, source) {
  const countName = source.dataset.confirmCount;
  if (!countName) return source.dataset.confirm;
  const count = Array.from(form.elements).filter(
    (input) => input.name === countName && input.checked,
  ).length;
  if (count === 0) return null;
  if (count === 1 && source.dataset.confirmOne) return source.dataset.confirmOne;
  return source.dataset.confirm.replace("%(count)s", String(count));
}

function ask(question) {
  dialog ??= buildDialog();
  dialog.querySelector("#confirm-dialog-question").textContent = question;
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "confirm"), {
      once: true,
    });
  });
}

function submitConfirmed(form, submitter) {
  const field = document.createElement("input");
  field.type = "hidden";
  field.name = FIELD;
  field.value = "yes";
  form.append(field);
  form.requestSubmit(submitter);
  field.remove(); // the form data is taken; other actions of a shared form stay unconfirmed
}

document.addEventListener("submit", async (event) => {
  const form = event.target;
  const submitter = event.submitter;
  const source = submitter?.hasAttribute("data-confirm") ? submitter : form;
  if (!source.hasAttribute?.("data-confirm") || form.elements.namedItem(FIELD)) return;
  const question = questionFor(form, source);
  if (question === null) return;
  event.preventDefault();
  if (await ask(question)) submitConfirmed(form, submitter);
});
