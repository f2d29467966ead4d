// Draw every Plotly figure on the page from its JSON script (also after HTMX swaps); make
// tables that scroll sideways reachable by keyboard.
(function () {
  function draw(root) {
    if (!window.Plotly) return;
    root.querySelectorAll("[data-plotly]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-plotly"));
      if (!source) return;
      var figure = JSON.parse(source.textContent);
      // A responsive plot fills its element: give the element the figure's height, or a
      // plot drawn after an HTMX swap gets a zero-height container and overflows the page.
      if (figure.layout && figure.layout.height) el.style.height = figure.layout.height + "px";
      window.Plotly.newPlot(el, figure.data, figure.layout, {
        responsive: true, displaylogo: false, modeBarButtonsToRemove: ["toImage"]
      });
      el.setAttribute("data-drawn", "true");
    });
  }
  // A table wider than its box scrolls sideways inside it: let the keyboard reach it too.
  function scrollable(root) {
    root.querySelectorAll("table, .table-scroll").forEach(function (el) {
      if (el.scrollWidth > el.clientWidth + 1 && !el.hasAttribute("tabindex")) {
        el.setAttribute("tabindex", "0");
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () { draw(document); scrollable(document); });
  document.addEventListener("htmx:afterSettle", function (event) {
    draw(event.target); scrollable(document);
  });
  window.addEventListener("resize", function () { scrollable(document); });
})();
