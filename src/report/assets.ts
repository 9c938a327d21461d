/** The site's stylesheet and its search script: written beside the pages, nothing fetched from elsewhere. */

export const STYLE = `body { font: 14px/1.45 system-ui, sans-serif; margin: 0; color: #1d2330; background: #fafbfc; }
header { background: #1d2330; padding: 8px 20px; }
header a { color: #fff; text-decoration: none; font-weight: 600; }
main { padding: 12px 24px 40px; max-width: 1200px; }
h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 28px; } h3 { font-size: 15px; }
table { border-collapse: collapse; margin: 8px 0 16px; background: #fff; }
th, td { border: 1px solid #d8dde6; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #eef1f6; }
tr.first-divergence td { background: #ffe1dd; font-weight: 600; }
tr.changed td { background: #fff1c7; }
.badge { display: inline-block; padding: 0 6px; border-radius: 8px; font-size: 12px; white-space: nowrap; }
.badge.ok { background: #d5f2dc; } .badge.bad { background: #ffd9d3; } .badge.mid { background: #fff0c2; } .badge.plain { background: #e6e9ef; }
.missing { color: #a4261b; font-style: italic; }
.none { color: #778; }
pre { background: #fff; border: 1px solid #d8dde6; padding: 8px; overflow-x: auto; white-space: pre-wrap; }
.attempt-text { max-width: 760px; }
table.attempts td:last-child { max-width: 320px; word-break: break-all; }
.pictures { display: flex; flex-wrap: wrap; gap: 16px; }
.pictures figure { margin: 0; }
.pictures img { width: 256px; max-width: 360px; height: auto; image-rendering: pixelated; border: 1px solid #d8dde6; }
.summary img { min-width: 128px; height: auto; image-rendering: pixelated; }
#search { width: 420px; padding: 6px; font-size: 14px; }
#results li { margin: 4px 0; }
.chart { display: inline-block; margin: 8px 16px 8px 0; }
.chart svg { background: #fff; border: 1px solid #d8dde6; }
.chart .frame { fill: none; stroke: #d8dde6; }
.chart .line { fill: none; stroke: #3867d6; stroke-width: 1.5; }
.chart circle { fill: #3867d6; }
.chart .tick { font-size: 11px; fill: #556; } .chart .end { text-anchor: end; } .chart .mid { text-anchor: middle; }
`;

/** Finds items and attempts by every word typed, in the index window.NBLOOP_SEARCH (search-index.js). */
export const SEARCH = `(function () {
  var box = document.getElementById("search");
  var list = document.getElementById("results");
  if (!box || !list) return;
  var entries = window.NBLOOP_SEARCH || [];
  function show() {
    var words = box.value.toLowerCase().split(/\\s+/).filter(Boolean);
    list.textContent = "";
    if (words.length === 0) return;
    var shown = 0;
    for (var i = 0; i < entries.length && shown < 50; i++) {
      var e = entries[i];
      var hay = (e.title + " " + e.text).toLowerCase();
      if (!words.every(function (w) { return hay.indexOf(w) >= 0; })) continue;
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = e.href;
      a.textContent = e.title;
      li.appendChild(a);
      li.appendChild(document.createTextNode(" — " + e.text.slice(0, 160)));
      list.appendChild(li);
      shown++;
    }
    if (shown === 0) {
      var none = document.createElement("li");
      none.textContent = "nothing found";
      list.appendChild(none);
    }
  }
  box.addEventListener("input", show);
  show();
})();
`;
