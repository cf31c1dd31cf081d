// Show/hide for the password field before each toggle button; without JavaScript the
// button stays hidden and the field works as usual.
for (const button of document.querySelectorAll("button.toggle-password")) {
  const field = button.previousElementSibling && button.previousElementSibling.type === "password"
    ? button.previousElementSibling
    : button.parentElement.querySelector("input[type=password][autocomplete=new-password], input[type=password]");
  if (!field) continue;
  button.hidden = false;
  button.setAttribute("aria-controls", field.id);
  button.setAttribute("aria-pressed", "false");
  button.addEventListener("click", () => {
    const show = field.type === "password";
    field.type = show ? "text" : "password";
    button.textContent = show ? button.dataset.hide : button.dataset.show;
    button.setAttribute("aria-pressed", String(show));
  });
}
