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
  // A job's progress bar follows the job's server-sent events; the stream closes when the
  // job is done or failed. A bar with data-job-then then asks that URL (HTMX) for what
  // replaces its box (his page with the confirmation, or the job's error); a bar without
  // it belongs to a fragment that polls for its result itself.
  function follow(root) {
    root.querySelectorAll("progress[data-job-events]").forEach(function (bar) {
      if (bar.getAttribute("data-following") || !window.EventSource) return;
      bar.setAttribute("data-following", "true");
      var message = bar.parentElement.querySelector("[data-job-message]");
      var events = new EventSource(bar.getAttribute("data-job-events"));
      events.addEventListener("status", function (event) {
        var job = JSON.parse(event.data);
        bar.value = job.progress;
        bar.textContent = Math.round(job.progress * 100) + " %";
        if (message && job.message) message.textContent = job.message;
        var ended = job.state === "done" || job.state === "failed";
        if (ended || !bar.isConnected) events.close();
        var then = bar.getAttribute("data-job-then");
        if (ended && then && bar.isConnected && window.htmx) {
          window.htmx.ajax("GET", then, {
            target: "#" + bar.getAttribute("data-job-box"), swap: "outerHTML"
          });
        }
      });
      events.onerror = function () { events.close(); };
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    draw(document); scrollable(document); follow(document);
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    draw(event.target); scrollable(document); follow(document);
  });
  window.addEventListener("resize", function () { scrollable(document); });
})();
