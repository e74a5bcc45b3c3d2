// The draft id and key come in the URL fragment, which browsers never send to a server.
const params = new URLSearchParams(location.hash.slice(1));
const draft = params.get('d'), key = params.get('k');
const text = {
  zh: { intro: '在手机上继续填写，保存后回到自助终端提交。', save: '保存', saved: '已保存，请回到终端提交。', missing: '链接无效或已过期。', failed: '保存失败：', lang: 'English' },
  en: { intro: 'Continue on your phone; save, then submit at the terminal.', save: 'Save', saved: 'Saved. Please submit at the terminal.', missing: 'This link is invalid or has expired.', failed: 'Could not save: ', lang: '中文' }
};
let lang = 'zh', data = null;
function label(title, name) {
  // Titles are written "中文 English"; show the part of the chosen language.
  if (!title) return name;
  const cut = title.search(/[A-Za-z]/);
  return cut <= 0 ? title : (lang === 'zh' ? title.slice(0, cut).trim() : title.slice(cut).trim());
}
function render() {
  const t = text[lang];
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  document.getElementById('lang').textContent = t.lang;
  document.getElementById('intro').textContent = t.intro;
  document.getElementById('save').textContent = t.save;
  if (!data) return;
  document.getElementById('title').textContent = data.itemName ? data.itemName[lang] : '';
  const form = document.getElementById('form');
  form.innerHTML = '';
  const props = (data.schema && data.schema.properties) || {};
  for (const [name, spec] of Object.entries(props)) {
    const l = document.createElement('label');
    l.htmlFor = 'f-' + name;
    l.textContent = label(spec.title, name);
    const input = document.createElement('input');
    input.id = 'f-' + name;
    input.name = name;
    input.type = spec.type === 'number' ? 'number' : 'text';
    const value = data.form[name];
    // defaultValue is the value attribute: what the field shows first, and what a DOM dump sees.
    input.defaultValue = value === undefined ? '' : value;
    form.append(l, input);
  }
}
async function load() {
  const r = await fetch('/api/v1/drafts/' + encodeURIComponent(draft), { headers: { 'X-Draft-Key': key } });
  if (!r.ok) { document.getElementById('status').textContent = text[lang].missing; return; }
  data = await r.json();
  render();
}
async function save() {
  const form = {};
  for (const input of document.querySelectorAll('#form input')) {
    if (input.value === '') continue;
    form[input.name] = input.type === 'number' ? Number(input.value) : input.value;
  }
  const r = await fetch('/api/v1/drafts/' + encodeURIComponent(draft), {
    method: 'PUT', headers: { 'Content-Type': 'application/json', 'X-Draft-Key': key }, body: JSON.stringify({ form })
  });
  const body = await r.json();
  document.getElementById('status').textContent = r.ok ? text[lang].saved : text[lang].failed + body.message;
  if (r.ok) data = body;
}
document.getElementById('lang').onclick = () => { lang = lang === 'zh' ? 'en' : 'zh'; render(); };
document.getElementById('save').onclick = save;
render();
if (draft && key) load(); else document.getElementById('status').textContent = text.zh.missing;
