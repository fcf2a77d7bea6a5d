// Keyboard and screen-reader aids (loaded from base.html with defer): when a page comes
// back with a form's errors, the focus goes to the form's error summary, so that the
// keyboard and the screen reader start where the problem is, not at the top of the page.
(function () {
  "use strict";
  var summary = document.querySelector(".error-summary");
  if (!summary) {
    return;
  }
  summary.focus();
  if (summary.scrollIntoView) {
    summary.scrollIntoView({ block: "center" });
  }
})();
