// Latency and throughput per location over the recent probes, drawn with uPlot (vendored by the build).
(function () {
  document.documentElement.className += ' js';
  var script = document.currentScript;
  var url = script && script.getAttribute('data-history');
  if (!url || typeof uPlot === 'undefined') return;
  fetch(url).then(function (r) { return r.json(); }).then(function (h) {
    var byLoc = {}, times = {};
    h.probes.forEach(function (p) {
      var t = Math.floor(Date.parse(p.ts) / 1000);
      times[t] = true;
      (byLoc[p.location] = byLoc[p.location] || {})[t] = p;
    });
    var xs = Object.keys(times).map(Number).sort(function (a, b) { return a - b; });
    var locs = Object.keys(byLoc).sort();
    var colors = ['#0969da', '#1a7f37', '#cf222e', '#9a6700', '#6639ba', '#57606a'];
    function draw(id, title, field, scale) {
      var el = document.getElementById(id);
      if (!el || xs.length === 0) return;
      var data = [xs].concat(locs.map(function (l) {
        return xs.map(function (t) { var p = byLoc[l][t]; return p && p[field] != null ? p[field] / scale : null; });
      }));
      var series = [{}].concat(locs.map(function (l, i) { return { label: l, stroke: colors[i % colors.length], spanGaps: true }; }));
      new uPlot({ title: title, width: Math.min(el.clientWidth || 600, 900), height: 220, series: series }, data, el);
    }
    draw('latency-chart', 'Latency (ms, time to first byte)', 'latency_ms', 1);
    draw('throughput-chart', 'Throughput (MB/s)', 'throughput_bps', 1e6);
  }).catch(function () { /* the tables still hold the figures */ });
})();
