// The portal's own behaviour. No inline scripts anywhere (CSP): everything hooks in here.
document.documentElement.classList.add("js");
document.addEventListener("change", function (event) {
  const form = event.target.closest("form[data-autosubmit]");
  if (form) {
    form.submit();
  }
});
