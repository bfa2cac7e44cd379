// The console's script: times in the browser's own zone, the charts, and a dashboard that follows the store by itself.
// Everything it shows is on the page without it too (in UTC, as tables), so nothing depends on it.
(function () {
  // Times: "2026-12-06 21:55 UTC" becomes the reader's local time, with the zone named.
  // (dateStyle and timeStyle cannot be combined with timeZoneName: the parts are named one by one.)
  const localTime = new Intl.DateTimeFormat(undefined, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  });
  const showTimes = (root) => {
    for (const element of root.querySelectorAll('time[datetime]')) {
      const at = new Date(element.getAttribute('datetime'));
      if (Number.isNaN(at.getTime())) continue;
      element.textContent = localTime.format(at);
      element.title = at.toISOString();
    }
  };
  showTimes(document);

  const source = document.getElementById('stats');
  if (!source || typeof Chart === 'undefined') return;
  const hour = (iso) => iso.slice(11, 16);
  const day = (iso) => iso.slice(5, 10);
  const charts = {};
  const draw = (id, config) => {
    const canvas = document.getElementById(id);
    if (!canvas) return;
    charts[id] = new Chart(canvas, {
      ...config,
      options: { animation: false, maintainAspectRatio: false, ...config.options },
    });
    canvas.dataset.rendered = 'true';
  };
  const counts = (rows, label) => ({
    labels: rows.map((r) => label(r.bucket)),
    datasets: [
      { label: 'migrated', data: rows.map((r) => r.migrated), backgroundColor: '#0b57d0' },
      { label: 'failed', data: rows.map((r) => r.failed), backgroundColor: '#b42318' },
    ],
  });
  const latency = (rows) => ({
    labels: rows.map((r) => hour(r.bucket)),
    datasets: ['p50', 'p95', 'p99'].map((q, i) => ({
      label: q,
      data: rows.map((r) => (r.calls ? r[q] : null)),
      borderColor: ['#0b57d0', '#e37400', '#b42318'][i],
      spanGaps: true,
    })),
  });
  const errors = (rows) => ({
    labels: rows.map((r) => hour(r.bucket)),
    datasets: [
      {
        label: 'error rate',
        data: rows.map((r) => (r.calls ? r.errorRate : null)),
        borderColor: '#b42318',
        spanGaps: true,
      },
    ],
  });
  const datasets = (data) => ({
    'per-hour': counts(data.perHour, hour),
    'per-day': counts(data.perDay, day),
    latency: latency(data.latency),
    errors: errors(data.latency),
  });

  const stacked = {
    scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
  };
  const initial = datasets(JSON.parse(source.textContent));
  draw('per-hour', { type: 'bar', data: initial['per-hour'], options: stacked });
  draw('per-day', { type: 'bar', data: initial['per-day'], options: stacked });
  draw('latency', { type: 'line', data: initial.latency, options: { scales: { y: { beginAtZero: true } } } });
  draw('errors', { type: 'line', data: initial.errors, options: { scales: { y: { beginAtZero: true, max: 1 } } } });

  // Live: ask every 2 s whether anything changed (a 304 when not); on a change, redraw the regions and the charts.
  let etag = null;
  const refresh = async () => {
    try {
      const response = await fetch('/admin/live', {
        headers: { accept: 'application/json', ...(etag ? { 'if-none-match': etag } : {}) },
        credentials: 'same-origin',
      });
      if (response.status !== 200) return;
      etag = response.headers.get('etag');
      const live = await response.json();
      for (const region of document.querySelectorAll('[data-live]')) {
        const html = live.fragments[region.dataset.live];
        if (typeof html === 'string' && region.innerHTML !== html) {
          region.innerHTML = html;
          showTimes(region);
        }
      }
      const next = datasets(live.charts);
      for (const [id, chart] of Object.entries(charts)) {
        chart.data = next[id];
        chart.update('none');
      }
      document.body.dataset.liveAt = new Date().toISOString();
    } catch {
      // The console keeps what it shows; the next poll tries again.
    }
  };
  setInterval(refresh, 2000);
})();
