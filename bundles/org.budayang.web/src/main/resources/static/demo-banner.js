// Every page of a demo hall says so: it runs with public demo keys and passwords.
(function () {
  fetch('/api/v1/platform').then(function (r) { return r.ok ? r.json() : null; }).then(function (p) {
    if (!p || !p.demo) return;
    var b = document.createElement('div');
    b.id = 'demo-banner';
    b.setAttribute('role', 'note');
    b.textContent = p.notice.zh + ' · ' + p.notice.en;
    document.body.insertBefore(b, document.body.firstChild);
  }).catch(function () { /* no banner is no harm */ });
})();
