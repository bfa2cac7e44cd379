// Draws the console's charts from the statistics the page embeds. The tables beside them work without it.
(function () {
  const source = document.getElementById('stats');
  if (!source || typeof Chart === 'undefined') return;
  const stats = JSON.parse(source.textContent);
  const hour = (iso) => iso.slice(11, 16);
  const day = (iso) => iso.slice(5, 10);
  const draw = (id, config) => {
    const canvas = document.getElementById(id);
    if (!canvas) return;
    new Chart(canvas, { ...config, options: { animation: false, maintainAspectRatio: false, ...config.options } });
    canvas.dataset.rendered = 'true';
  };
  const counts = (rows, label) => ({
    type: 'bar',
    data: {
      labels: rows.map((r) => label(r.bucket)),
      datasets: [
        { label: 'migrated', data: rows.map((r) => r.migrated), backgroundColor: '#0b57d0' },
        { label: 'failed', data: rows.map((r) => r.failed), backgroundColor: '#b42318' },
      ],
    },
    options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } },
  });
  draw('per-hour', counts(stats.perHour, hour));
  draw('per-day', counts(stats.perDay, day));
  draw('latency', {
    type: 'line',
    data: {
      labels: stats.latency.map((r) => hour(r.bucket)),
      datasets: ['p50', 'p95', 'p99'].map((q, i) => ({
        label: q,
        data: stats.latency.map((r) => (r.calls ? r[q] : null)),
        borderColor: ['#0b57d0', '#e37400', '#b42318'][i],
        spanGaps: true,
      })),
    },
    options: { scales: { y: { beginAtZero: true } } },
  });
  draw('errors', {
    type: 'line',
    data: {
      labels: stats.latency.map((r) => hour(r.bucket)),
      datasets: [
        {
          label: 'error rate',
          data: stats.latency.map((r) => (r.calls ? r.errorRate : null)),
          borderColor: '#b42318',
          spanGaps: true,
        },
      ],
    },
    options: { scales: { y: { beginAtZero: true, max: 1 } } },
  });
})();
