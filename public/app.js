// Progressive enhancement only: every page works without this file.
document.body.classList.add('js-enabled');
if ('noModule' in HTMLScriptElement.prototype) {
  document.body.classList.add('govuk-frontend-supported');
  const { initAll } = await import('/assets/govuk-frontend.min.js');
  initAll();
}
