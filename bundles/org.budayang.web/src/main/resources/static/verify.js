// Checks a PDF file byte for byte against the issue record of this page's document.
document.getElementById('f').onchange = function (e) {
  var f = e.target.files[0];
  if (!f) return;
  fetch(location.pathname, { method: 'POST', body: f }).then(function (x) { return x.json(); }).then(function (j) {
    document.getElementById('r').textContent = j.genuine ? '✓ 文件与出具时完全一致 The file is exactly the one issued'
      : '✗ 文件不一致 ' + (j.reason || j.message);
  });
};
