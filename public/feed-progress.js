/* global window, fetch */
// Keeps an import's progress up to date while it runs (started here, through the API or by the
// command line), by asking for its state every two seconds. Without JavaScript the page has a refresh link.
const box = document.querySelector('[data-run-progress]');
if (box && box.dataset.status === 'running') {
  const bar = box.querySelector('progress');
  const text = box.querySelector('[data-run-text]');
  const poll = async () => {
    try {
      const res = await fetch(box.dataset.runProgress, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
      if (!res.ok) return;
      const run = await res.json();
      if (run.percent !== null) {
        bar.value = run.percent;
        bar.textContent = `${run.percent}%`;
      }
      text.textContent = run.text;
      if (run.status !== 'running') {
        window.location.reload();
        return;
      }
    } catch {
      // try again at the next tick
    }
    setTimeout(poll, 2000);
  };
  setTimeout(poll, 2000);
}
