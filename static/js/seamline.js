// Seamline's own script, loaded deferred on every page. Pages work without it; the policy
// allows no inline script, so small behaviours live here.

// A button marked data-print prints the page (the review pack).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});

// ---- Dependency board: drag and drop, and focus kept after a move -------------------------
// A card is moved by its own form (a select and a Move button), which works without
// JavaScript and from the keyboard. Dragging a card onto another column picks that column in
// the card's select and submits the same form, so htmx posts it (CSRF from <body>) and the
// board comes back saying what happened (#board-said, a live region).
(() => {
  let dragged = null; // the card being dragged
  let movedCard = null; // the card whose form was last sent from the keyboard or a click
  let dropping = false;

  const columnOf = (node) => node instanceof Element && node.closest("#board [data-status]");

  document.addEventListener("dragstart", (event) => {
    const card = event.target instanceof Element && event.target.closest("[data-card]");
    if (!card) return;
    dragged = card;
    card.classList.add("is-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.card);
  });

  document.addEventListener("dragend", () => {
    if (dragged) dragged.classList.remove("is-dragging");
    dragged = null;
    document.querySelectorAll(".drop-target").forEach((c) => c.classList.remove("drop-target"));
  });

  document.addEventListener("dragover", (event) => {
    const column = columnOf(event.target);
    if (!dragged || !column) return;
    event.preventDefault(); // allows the drop
    event.dataTransfer.dropEffect = "move";
    document.querySelectorAll(".drop-target").forEach((c) => {
      if (c !== column) c.classList.remove("drop-target");
    });
    column.classList.add("drop-target");
  });

  document.addEventListener("drop", (event) => {
    const column = columnOf(event.target);
    if (!dragged || !column) return;
    event.preventDefault();
    const form = dragged.querySelector("form[data-move-form]");
    const select = form && form.querySelector("select[name=status]");
    column.classList.remove("drop-target");
    if (!select || dragged.closest("[data-status]") === column) return; // dropped where it was
    select.value = column.dataset.status;
    dropping = true;
    form.requestSubmit();
    dropping = false;
  });

  // Remember which card moved, then give its select the focus again once the board is back.
  document.addEventListener("htmx:beforeRequest", (event) => {
    const form = event.target instanceof Element && event.target.closest("form[data-move-form]");
    if (form) movedCard = dropping ? null : form.dataset.moveForm;
  });

  // A refused move (403) comes back as the board saying why: show it like any other answer.
  document.addEventListener("htmx:beforeSwap", (event) => {
    const form = event.detail.elt instanceof Element && event.detail.elt.closest("form[data-move-form]");
    if (form && event.detail.xhr.status === 403) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("htmx:afterSettle", (event) => {
    if (!movedCard || !(event.target instanceof Element) || event.target.id !== "board") return;
    const select = document.getElementById(`move-${movedCard}`);
    movedCard = null;
    if (select) select.focus();
  });
})();
