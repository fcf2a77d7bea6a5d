// The ledger's column picker: the ↑/↓ buttons move a column in the list, whose order is
// the order the checked columns are sent in (col=…&col=…), and so their order in the
// table. Without this script the picker still chooses columns, in the listed order.
"use strict";
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-columns] [data-move]");
  if (!button) return;
  const item = button.closest("li");
  if (button.dataset.move === "up" && item.previousElementSibling) {
    item.parentNode.insertBefore(item, item.previousElementSibling);
  } else if (button.dataset.move === "down" && item.nextElementSibling) {
    item.parentNode.insertBefore(item.nextElementSibling, item);
  }
  button.focus();
});
