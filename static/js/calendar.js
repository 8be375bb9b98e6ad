/* The staff calendar: an empty half hour opens the booking form with its coach and time filled in.
 *
 * Without this script each day's "+" link opens the form with the day filled in. With it, the table
 * becomes a grid with one tab stop: a click on an empty cell, or the arrow keys to reach one and Enter
 * or Space, books that half hour. The column's heading gives the coach and the day, the row's heading
 * the time; the booking form reads the time as the register's local time. */
(function () {
  "use strict";
  var table = document.querySelector("table.cal[data-add-url]");
  var body = table && table.tBodies[0];
  var current = body && body.querySelector("td");
  if (!current) {
    return;
  }
  var columns = table.tHead.querySelectorAll("th[data-day]");

  function book(cell) {
    var column = columns[cell.cellIndex - 1];
    var query = new URLSearchParams({
      coach: column.dataset.coach,
      starts_at: column.dataset.day + "T" + cell.parentNode.cells[0].textContent.trim(),
    });
    window.location.assign(table.dataset.addUrl + "?" + query);
  }

  function move(cell) {
    if (cell && cell.tagName === "TD") {
      current.tabIndex = -1;
      cell.tabIndex = 0;
      current = cell;
      cell.focus();
    }
  }

  table.setAttribute("role", "grid");
  table.classList.add("bookable");
  current.tabIndex = 0;
  document.getElementById("cal-hint").hidden = false;

  body.addEventListener("click", function (event) {
    // A click on an appointment follows its own link; only the empty part of a cell books.
    if (event.target.tagName === "TD") {
      book(event.target);
    }
  });
  body.addEventListener("keydown", function (event) {
    var cell = event.target;
    if (cell.tagName !== "TD") {
      return; // keys on an appointment's link are the link's own
    }
    var row = cell.parentNode;
    var above = row.previousElementSibling;
    var below = row.nextElementSibling;
    switch (event.key) {
      case "ArrowUp": move(above && above.cells[cell.cellIndex]); break;
      case "ArrowDown": move(below && below.cells[cell.cellIndex]); break;
      case "ArrowLeft": move(row.cells[cell.cellIndex - 1]); break;
      case "ArrowRight": move(row.cells[cell.cellIndex + 1]); break;
      case "Enter": case " ": book(cell); break;
      default: return;
    }
    event.preventDefault();
  });
})();
