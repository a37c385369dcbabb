// Seamline's own script, loaded deferred on every page. Pages work without it; the policy
// allows no inline script, so small behaviours live here.

// A button marked data-print prints the page (the review pack).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
