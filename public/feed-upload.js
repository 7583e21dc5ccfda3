/* global window, XMLHttpRequest, FormData */
// Progressive enhancement of a feed's upload form: the file is still posted as the form would post it,
// but through XMLHttpRequest, so the bar shows how much of the file has gone. The server imports the
// file as it arrives (streamed, with back-pressure), so what has been sent is close to what has been read.
const form = document.querySelector('form[data-feed-upload]');
if (form && 'FormData' in window) {
  const box = form.querySelector('.ta-upload-progress');
  const bar = form.querySelector('progress');
  const status = form.querySelector('[data-upload-status]');
  form.addEventListener('submit', (event) => {
    const input = form.querySelector('input[type=file]');
    if (!input || !input.files || input.files.length === 0) return; // let the server say what is missing
    event.preventDefault();
    const xhr = new XMLHttpRequest();
    xhr.open('POST', form.action);
    box.hidden = false;
    form.querySelector('button').disabled = true;
    xhr.upload.addEventListener('progress', (e) => {
      if (!e.lengthComputable) return;
      const pct = Math.floor((100 * e.loaded) / e.total);
      bar.value = pct;
      bar.textContent = `${pct}%`;
      status.textContent = `Sent and read ${pct}% of the file (${Math.round(e.loaded / 1024).toLocaleString('en-GB')} KB of ${Math.round(e.total / 1024).toLocaleString('en-GB')} KB).`;
    });
    xhr.addEventListener('load', () => {
      status.textContent = 'Finishing…';
      window.location.assign(xhr.responseURL || form.action);
    });
    xhr.addEventListener('error', () => {
      status.textContent = 'The upload stopped. What was read before it stopped is kept; upload the same file again to finish.';
      form.querySelector('button').disabled = false;
    });
    xhr.send(new FormData(form));
  });
}
