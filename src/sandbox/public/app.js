// The sandbox page: renders what the fake Slack holds (messages from their Block Kit, threads, ephemerals,
// modals, App Home) for the person chosen at the top, and sends what that person does to /sandbox/api/…,
// where the fake Slack signs it and hands it to the bot. State arrives as server-sent events.
const $ = (id) => document.getElementById(id);

const ui = {
  me: localStorage.getItem('sandbox.person') || '',
  channel: 'C0GENERAL', // or 'dm': the app's DM with whoever you are
  channelId: null, // the conversation shown, resolved
  tab: 'messages',
  thread: null, // { channel, ts }
  state: null,
  rendered: {}, // region -> last JSON rendered, so typing in a field is never wiped by an update
  modalId: null,
  stream: null,
};

// ---------------------------------------------------------------- text

const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
const decodeSlack = (s) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

function personName(id) {
  if (ui.state && id === ui.state.botUserId) return 'vpnbot';
  return ui.state?.people.find((p) => p.id === id)?.name ?? id;
}

/** One Slack `<…>` token: a mention, a channel, a special mention or a link. */
function slackToken(inner) {
  const [target, label] = inner.split('|');
  if (/^@[UW]/.test(target)) return `<span class="mention">@${escapeHtml(personName(target.slice(1)))}</span>`;
  if (/^#[CG]/.test(target)) return `<span class="mention">#${escapeHtml(label ?? target.slice(1))}</span>`;
  if (target.startsWith('!date^')) return escapeHtml(decodeSlack(label ?? target));
  if (target.startsWith('!')) return `<span class="mention">@${escapeHtml(label ?? target.slice(1).split('^')[0])}</span>`;
  if (/^(https?:|mailto:)/.test(target)) {
    return `<a href="${escapeHtml(decodeSlack(target))}" target="_blank" rel="noopener noreferrer">${escapeHtml(decodeSlack(label ?? target))}</a>`;
  }
  return escapeHtml(decodeSlack(`<${inner}>`));
}

/** Slack mrkdwn to HTML: every piece of text is escaped before any markup is added. */
function mrkdwn(text) {
  const held = [];
  const hold = (html) => `\u{E000}${held.push(html) - 1}\u{E001}`;
  let s = String(text ?? '').replace(/<([^<>\n]+)>/g, (_, inner) => hold(slackToken(inner)));
  s = escapeHtml(decodeSlack(s));
  s = s.replace(/```([\s\S]*?)```/g, (_, code) => hold(`<pre>${code}</pre>`));
  s = s.replace(/`([^`\n]+)`/g, (_, code) => hold(`<code>${code}</code>`));
  s = s.replace(/(^|[^\w*])\*([^*\n]+)\*(?![\w*])/g, '$1<strong>$2</strong>');
  s = s.replace(/(^|[^\w_])_([^_\n]+)_(?![\w_])/g, '$1<em>$2</em>');
  s = s.replace(/(^|[^\w~])~([^~\n]+)~(?![\w~])/g, '$1<del>$2</del>');
  s = s.split('\n').map((line) => (line.startsWith('&gt; ') ? `<blockquote>${line.slice(5)}</blockquote>` : line)).join('\n');
  s = emoji(s.replace(/\n/g, '<br>'));
  // Held pieces may hold others (a mention inside a code span): put them back until none is left.
  const unhold = (html) => html.replace(/\u{E000}(\d+)\u{E001}/gu, (_, i) => unhold(held[Number(i)]));
  return unhold(s);
}

// The shortcodes the bot's messages use; anything else stays as typed, like Slack with an unknown emoji.
const EMOJI = {
  warning: '⚠️', x: '❌', lock: '🔒', white_check_mark: '✅', large_green_circle: '🟢', large_yellow_circle: '🟡',
  hourglass_flowing_sand: '⏳', hourglass: '⌛', heavy_minus_sign: '➖', no_entry: '⛔', no_entry_sign: '🚫', gear: '⚙️',
  checkered_flag: '🏁', rotating_light: '🚨', hammer_and_wrench: '🛠️', grey_question: '❔', page_facing_up: '📄', memo: '📝',
  key: '🔑', information_source: 'ℹ️', inbox_tray: '📥', ghost: '👻', broom: '🧹', alarm_clock: '⏰', tada: '🎉',
};
const emoji = (html) => html.replace(/:([a-z0-9_+-]+):/g, (all, name) => EMOJI[name] ?? all);

const textObject = (t) => (!t ? '' : t.type === 'mrkdwn' ? mrkdwn(t.text) : escapeHtml(t.text));

// ---------------------------------------------------------------- Block Kit

/** A button element; `where` says what the click acts on (a message or a view). */
function button(el, blockId, where) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = `sbtn${el.style ? ` ${el.style}` : ''}`;
  b.innerHTML = textObject(el.text);
  if (el.url) {
    b.addEventListener('click', () => window.open(el.url, '_blank', 'noopener'));
    return b;
  }
  b.addEventListener('click', async () => {
    if (el.confirm) {
      const c = el.confirm;
      if (!window.confirm(`${c.title?.text ?? 'Are you sure?'}\n\n${decodeSlack(c.text?.text ?? '')}`)) return;
    }
    b.disabled = true;
    try {
      await post('api/action', { user: ui.me, actionId: el.action_id, value: el.value ?? '', ...(blockId ? { blockId } : {}), ...where });
    } finally {
      b.disabled = false;
    }
  });
  return b;
}

function element(el, blockId, where) {
  if (el.type === 'button') return button(el, blockId, where);
  const span = document.createElement('span');
  if (el.type === 'image') span.textContent = el.alt_text ?? '';
  else if (el.type === 'mrkdwn' || el.type === 'plain_text') span.innerHTML = textObject(el);
  else span.textContent = `[${el.type}]`;
  return span;
}

/** Renders message or Home blocks. Input blocks belong to modals (see renderModal). */
function renderBlocks(blocks, where) {
  const frag = document.createDocumentFragment();
  for (const block of blocks ?? []) {
    const div = document.createElement(block.type === 'divider' ? 'hr' : 'div');
    div.className = `block ${block.type}`;
    if (block.type === 'section') {
      div.classList.add('section');
      const text = document.createElement('div');
      text.className = 'text';
      text.innerHTML = textObject(block.text);
      if (block.fields?.length) {
        const fields = document.createElement('div');
        fields.className = 'fields';
        for (const f of block.fields) {
          const cell = document.createElement('div');
          cell.innerHTML = textObject(f);
          fields.append(cell);
        }
        text.append(fields);
      }
      div.append(text);
      if (block.accessory) div.append(element(block.accessory, block.block_id, where));
    } else if (block.type === 'header') {
      div.innerHTML = textObject(block.text);
    } else if (block.type === 'context') {
      for (const el of block.elements ?? []) div.append(element(el, block.block_id, where));
    } else if (block.type === 'actions') {
      div.classList.add('actions');
      for (const el of block.elements ?? []) div.append(element(el, block.block_id, where));
    } else if (block.type === 'image') {
      div.textContent = block.alt_text ?? '';
    } else if (block.type !== 'divider') {
      div.textContent = `[${block.type} block]`;
    }
    frag.append(div);
  }
  return frag;
}

function fmtTime(ms) {
  return new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

function fmtSize(n) {
  return n < 1024 ? `${n} B` : `${(n / 1024).toFixed(1)} KB`;
}

function messageNode(m, { inThread = false } = {}) {
  const div = document.createElement('article');
  div.className = 'msg';
  div.dataset.ts = m.ts;
  div.innerHTML = `<span class="who">${escapeHtml(m.userName)}</span><span class="when">${fmtTime(Number(m.ts) * 1000)}</span>`;
  if (m.blocks?.length) div.append(renderBlocks(m.blocks, { channel: m.channel, messageTs: m.ts }));
  else if (m.text) {
    const p = document.createElement('div');
    p.className = 'block';
    p.innerHTML = mrkdwn(m.text);
    div.append(p);
  }
  for (const f of m.files ?? []) {
    const file = document.createElement('div');
    file.className = 'file';
    file.innerHTML = `<span class="file-kind">${escapeHtml(f.name.split('.').pop())}</span><span>${escapeHtml(f.title)}</span><span class="note">${fmtSize(f.size)}</span>`;
    const a = document.createElement('a');
    a.href = f.url;
    a.download = f.name;
    a.textContent = `Download ${f.name}`;
    file.append(a);
    div.append(file);
  }
  if (!inThread) {
    const replies = ui.state.messages.filter((r) => r.channel === m.channel && r.threadTs === m.ts && r.ts !== m.ts);
    if (replies.length) {
      const link = document.createElement('button');
      link.className = 'replies';
      link.textContent = `${replies.length} ${replies.length === 1 ? 'reply' : 'replies'}`;
      link.addEventListener('click', () => {
        ui.thread = { channel: m.channel, ts: m.ts };
        render();
      });
      div.append(link);
    }
  }
  return div;
}

function ephemeralNode(e) {
  const div = document.createElement('article');
  div.className = `msg ephemeral${e.command ? ' command' : ''}`;
  if (e.command) {
    div.innerHTML = `<span class="who">${escapeHtml(personName(e.user))}</span><span class="when">${fmtTime(e.at)}</span> <code></code>`;
    div.querySelector('code').textContent = e.text;
    return div;
  }
  div.innerHTML = `<span class="who">vpnbot</span><span class="when">${fmtTime(e.at)}</span> <span class="only">Only visible to you</span>`;
  if (e.blocks?.length) div.append(renderBlocks(e.blocks, { channel: e.channel }));
  else {
    const p = document.createElement('div');
    p.className = 'block';
    p.innerHTML = mrkdwn(e.text);
    div.append(p);
  }
  return div;
}

// ---------------------------------------------------------------- regions

/** Re-renders a region only when what it shows changed. */
function region(name, data, draw) {
  const key = JSON.stringify(data);
  if (ui.rendered[name] === key) return;
  ui.rendered[name] = key;
  draw();
}

function renderPeople() {
  const select = $('person');
  region('people', ui.state.people, () => {
    select.replaceChildren(...ui.state.people.map((p) => new Option(`${p.name} (${p.role})`, p.id)));
  });
  select.value = ui.me;
}

function renderSidebar() {
  const { channels } = ui.state;
  region('sidebar', { channels, current: ui.channel }, () => {
    const item = (c, label) => {
      const li = document.createElement('li');
      const b = document.createElement('button');
      b.textContent = label;
      b.setAttribute('aria-current', String(c.id === ui.channel || (c.kind === 'dm' && ui.channel === 'dm')));
      b.addEventListener('click', () => {
        ui.channel = c.kind === 'dm' ? 'dm' : c.id;
        ui.thread = null;
        if (c.kind === 'dm') openHome();
        render();
      });
      li.append(b);
      return li;
    };
    $('channels').replaceChildren(...channels.filter((c) => c.kind === 'channel').map((c) => item(c, `# ${c.name}`)));
    $('apps').replaceChildren(...channels.filter((c) => c.kind === 'dm').map((c) => item(c, c.name)));
  });
}

function renderConversation() {
  const channel = ui.state.channels.find((c) => (ui.channel === 'dm' ? c.kind === 'dm' : c.id === ui.channel)) ?? ui.state.channels[0];
  if (ui.channel !== 'dm' || channel.kind !== 'dm') ui.channel = channel.id;
  ui.channelId = channel.id;
  const isDm = channel.kind === 'dm';
  $('conv-title').textContent = isDm ? channel.name : `#${channel.name}`;
  $('tabs').hidden = !isDm;
  const showHome = isDm && ui.tab === 'home';
  for (const t of document.querySelectorAll('#tabs button')) t.setAttribute('aria-selected', String(t.dataset.tab === (showHome ? 'home' : 'messages')));
  $('home').hidden = !showHome;
  $('messages').hidden = showHome;
  $('composer').hidden = showHome;
  if (showHome) {
    region('home', { home: ui.state.home, names: ui.state.people }, () => {
      const home = ui.state.home;
      $('home').replaceChildren(home ? renderBlocks(home.view.blocks, { viewId: home.id }) : document.createTextNode('Loading the App Home…'));
    });
    return;
  }
  const top = ui.state.messages.filter((m) => m.channel === channel.id && (!m.threadTs || m.threadTs === m.ts));
  const replies = ui.state.messages.filter((m) => m.channel === channel.id && m.threadTs && m.threadTs !== m.ts).map((m) => [m.threadTs, m.ts]);
  const ephemerals = ui.state.ephemerals.filter((e) => e.channel === channel.id);
  region('messages', { channel: channel.id, top, replies, ephemerals }, () => {
    const items = [
      ...top.map((m) => ({ at: Number(m.ts) * 1000, node: () => messageNode(m) })),
      ...ephemerals.map((e) => ({ at: e.at, node: () => ephemeralNode(e) })),
    ].sort((a, b) => a.at - b.at);
    const list = $('messages');
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    list.replaceChildren(...items.map((i) => i.node()));
    if (atBottom) list.scrollTop = list.scrollHeight;
  });
}

function renderThread() {
  const t = ui.thread;
  $('thread').hidden = !t;
  if (!t) return;
  const parent = ui.state.messages.find((m) => m.channel === t.channel && m.ts === t.ts);
  const replies = ui.state.messages.filter((m) => m.channel === t.channel && m.threadTs === t.ts && m.ts !== t.ts);
  region('thread', { parent, replies }, () => {
    $('thread-body').replaceChildren(...[parent, ...replies].filter(Boolean).map((m) => messageNode(m, { inThread: true })));
  });
}

function renderModal() {
  const modal = ui.state.modal;
  $('modal').hidden = !modal;
  if (!modal) {
    ui.modalId = null;
    return;
  }
  const view = modal.view;
  // The same modal stays as typed; a new one (or an update from the app) is drawn afresh.
  const key = `${modal.id}:${view.hash ?? ''}`;
  if (ui.modalId === key) return;
  ui.modalId = key;
  $('modal-title').textContent = view.title?.text ?? '';
  $('modal-close').textContent = view.close?.text ?? 'Cancel';
  $('modal-submit').textContent = view.submit?.text ?? 'Submit';
  $('modal-submit').hidden = !view.submit;
  $('modal-error').textContent = '';
  const blocks = [];
  for (const block of view.blocks ?? []) {
    if (block.type !== 'input') {
      const wrap = document.createElement('div');
      wrap.append(renderBlocks([block], { viewId: modal.id }));
      blocks.push(wrap);
      continue;
    }
    const el = block.element ?? {};
    const wrap = document.createElement('div');
    wrap.className = 'input';
    wrap.dataset.blockId = block.block_id;
    const id = `in-${block.block_id}`;
    const label = document.createElement('label');
    label.htmlFor = id;
    label.textContent = `${block.label?.text ?? block.block_id}${block.optional ? ' (optional)' : ''}`;
    let field;
    if (el.type === 'static_select') {
      field = document.createElement('select');
      for (const o of el.options ?? []) field.append(new Option(o.text?.text ?? o.value, o.value));
      if (el.initial_option) field.value = el.initial_option.value;
    } else {
      field = document.createElement(el.multiline ? 'textarea' : 'input');
      if (el.initial_value) field.value = el.initial_value;
      if (el.placeholder) field.placeholder = el.placeholder.text;
      if (el.max_length) field.maxLength = el.max_length;
    }
    field.id = id;
    field.dataset.actionId = el.action_id;
    field.dataset.type = el.type;
    const error = document.createElement('div');
    error.className = 'field-error';
    error.setAttribute('role', 'alert');
    wrap.append(label, field, error);
    if (block.hint) {
      const hint = document.createElement('div');
      hint.className = 'note';
      hint.textContent = block.hint.text;
      wrap.append(hint);
    }
    blocks.push(wrap);
  }
  $('modal-blocks').replaceChildren(...blocks);
  $('modal-blocks').querySelector('input, textarea, select')?.focus();
}

/** The gateway's real OpenVPN server: clients connected now, and where it listens (or why there is none). */
function vpnCell(g, openvpn) {
  if (!openvpn || openvpn.ok === false) return '<span class="note">?</span>';
  if (!openvpn.enabled) return `<span class="note" title="${escapeHtml(openvpn.reason ?? 'VPN_BOT_SANDBOX_OPENVPN=0')}">none</span>`;
  const s = openvpn.servers.find((v) => v.vpnGatewayId === g.vpnGatewayId);
  if (!s) return '<span class="note">none</span>';
  const where = `:${s.port}/${String(s.proto).toLowerCase()}`;
  const title = `${s.host}${where}: ${s.state}${s.reason ? ` (${s.reason})` : ''}; clients connected now`;
  return `<span aria-label="${escapeHtml(g.name)} VPN clients" title="${escapeHtml(title)}">${Number(s.clients)}</span>${s.state === 'running' ? '' : `<br><span class="note">${escapeHtml(s.state)}</span>`}`;
}

function renderCloud() {
  const cloud = ui.state.cloud;
  $('cloud-off').hidden = Boolean(cloud);
  $('cloud-on').hidden = !cloud;
  if (!cloud) return;
  if (cloud.ok === false) {
    $('cloud-error').textContent = cloud.error;
    return;
  }
  const updateMs = $('update-ms');
  if (document.activeElement !== updateMs) updateMs.value = String(cloud.updateMs);
  const jitter = $('update-jitter');
  if (document.activeElement !== jitter && cloud.updateJitter !== undefined) jitter.value = String(cloud.updateJitter);
  region('gateways', [cloud.gateways, cloud.openvpn], () => {
    $('gateways').replaceChildren(...cloud.gateways.map((g) => {
      const tr = document.createElement('tr');
      tr.dataset.gateway = g.name;
      const kind = g.status === 'active' ? 'active' : g.status === 'updating' ? 'updating' : 'other';
      tr.innerHTML = `<td><strong>${escapeHtml(g.name)}</strong> <span class="note">${escapeHtml(g.regionId)}</span><br><span class="note">${escapeHtml(g.vpnGatewayId)}</span></td>`
        + `<td><span class="status ${kind}" aria-label="${escapeHtml(g.name)} state">${escapeHtml(g.status)}</span><br><span class="note ends"></span></td>`
        + `<td aria-label="${escapeHtml(g.name)} certificates">${Number(g.clientCerts)}</td>`
        + `<td>${vpnCell(g, cloud.openvpn)}</td>`;
      if (g.updateEndsAt) tr.querySelector('.ends').dataset.endsAt = String(g.updateEndsAt);
      const b = document.createElement('button');
      b.textContent = 'Configuring from outside';
      b.title = 'Another change on this gateway (console, another tool): it is "updating" for the update time';
      b.addEventListener('click', () => cloudCall('POST', `cloud/gateways/${g.vpnGatewayId}/status`, { status: 'updating' }));
      b.className = 'small';
      tr.firstElementChild.append(b);
      return tr;
    }));
    tickCountdowns();
  });
  region('faults', cloud.faults, () => {
    $('faults').replaceChildren(...cloud.faults.map((f) => {
      const li = document.createElement('li');
      const what = f.mode === 'apply-then-delay' ? `applied, answered after ${f.delayMs} ms` : `${f.code ?? f.mode}${f.status ? ` (HTTP ${f.status})` : ''}`;
      li.textContent = `${f.action === '*' ? 'any call' : f.action}: ${what}, ${f.remaining} more`;
      return li;
    }));
    if (!cloud.faults.length) $('faults').innerHTML = '<li class="note">none pending</li>';
  });
}

function tickCountdowns() {
  for (const el of document.querySelectorAll('.ends[data-ends-at]')) {
    const left = Number(el.dataset.endsAt) - Date.now();
    el.textContent = left > 0 ? `update ends in ${(left / 1000).toFixed(1)} s` : 'update ending';
  }
}

function render() {
  if (!ui.state) return;
  renderPeople();
  renderSidebar();
  renderConversation();
  renderThread();
  renderModal();
  renderCloud();
}

// ---------------------------------------------------------------- talking to the server

async function post(path, body, method = 'POST') {
  const res = await fetch(`/sandbox/${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return res.json().catch(() => ({ ok: false, error: `HTTP ${res.status}` }));
}

async function cloudCall(method, path, body = {}) {
  const answer = await post(path, body, method);
  $('cloud-error').textContent = answer.ok === false ? answer.error : '';
}

function openHome() {
  ui.tab = 'home';
  void post('api/home', { user: ui.me });
}

function connect() {
  ui.stream?.close();
  // Nothing of the previous person stays clickable while the new person's state is on its way.
  ui.state = null;
  ui.rendered = {};
  ui.modalId = null;
  for (const id of ['channels', 'apps', 'messages', 'home', 'thread-body', 'gateways']) $(id).replaceChildren();
  $('modal').hidden = true;
  if (ui.channel === 'dm' && ui.tab === 'home') void post('api/home', { user: ui.me });
  ui.stream = new EventSource(`/sandbox/api/events?user=${encodeURIComponent(ui.me)}`);
  ui.stream.onmessage = (event) => {
    ui.state = JSON.parse(event.data);
    render();
  };
}

async function boot() {
  const first = await fetch(`/sandbox/api/state?user=${encodeURIComponent(ui.me || 'U0REQUESTER')}`).then((r) => r.json());
  if (!first.people.some((p) => p.id === ui.me)) ui.me = first.people[0].id;
  ui.state = null;
  connect();

  $('person').addEventListener('change', (e) => {
    ui.me = e.target.value;
    localStorage.setItem('sandbox.person', ui.me);
    ui.thread = null;
    connect();
  });
  $('composer').addEventListener('submit', async (e) => {
    e.preventDefault();
    const input = $('command');
    const text = input.value.trim();
    if (!text) return;
    input.value = '';
    if (!ui.channelId) return;
    const answer = await post('api/command', { user: ui.me, channel: ui.channelId, text });
    if (answer.ok === false && answer.error) {
      input.value = text;
      input.setCustomValidity(answer.error);
      input.reportValidity();
      setTimeout(() => input.setCustomValidity(''), 3000);
    }
  });
  for (const tab of document.querySelectorAll('#tabs button')) {
    tab.addEventListener('click', () => {
      if (tab.dataset.tab === 'home') openHome();
      else ui.tab = 'messages';
      render();
    });
  }
  $('thread-close').addEventListener('click', () => {
    ui.thread = null;
    render();
  });
  $('modal-close').addEventListener('click', async () => {
    const modal = ui.state?.modal;
    if (modal) await post('api/close', { user: ui.me, viewId: modal.id });
  });
  $('modal-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const modal = ui.state?.modal;
    if (!modal) return;
    const values = {};
    for (const wrap of $('modal-blocks').querySelectorAll('.input')) {
      const field = wrap.querySelector('[data-action-id]');
      const value = field.dataset.type === 'static_select'
        ? { type: 'static_select', selected_option: { text: { type: 'plain_text', text: field.selectedOptions[0]?.text ?? '' }, value: field.value } }
        : { type: field.dataset.type || 'plain_text_input', value: field.value };
      values[wrap.dataset.blockId] = { [field.dataset.actionId]: value };
      wrap.querySelector('.field-error').textContent = '';
    }
    $('modal-submit').disabled = true;
    try {
      const answer = await post('api/submit', { user: ui.me, viewId: modal.id, values });
      if (answer.errors) {
        for (const [blockId, message] of Object.entries(answer.errors)) {
          const slot = $('modal-blocks').querySelector(`.input[data-block-id="${CSS.escape(blockId)}"] .field-error`);
          if (slot) slot.textContent = message;
          else $('modal-error').textContent = message;
        }
      } else if (answer.ok === false) {
        $('modal-error').textContent = answer.error ?? 'The app did not accept this.';
      }
    } finally {
      $('modal-submit').disabled = false;
    }
  });
  $('update-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const jitter = $('update-jitter').value;
    void cloudCall('PUT', 'cloud/update-ms', { updateMs: Number($('update-ms').value), ...(jitter === '' ? {} : { updateJitter: Number(jitter) }) });
  });
  const faults = {
    throttling: (action) => ({ action, code: 'Throttling.User' }),
    503: (action) => ({ action, code: 'ServiceUnavailable', status: 503 }),
    // Applied at once, answered after the bot's per-call timeout: the bot cannot know it happened.
    'apply-then-timeout': (action) => ({ action, mode: 'apply-then-delay', delayMs: (ui.state?.apiTimeoutMs ?? 10000) + 2000 }),
  };
  for (const b of document.querySelectorAll('[data-fault]')) {
    b.addEventListener('click', () => {
      const fault = faults[b.dataset.fault]($('fault-action').value);
      void cloudCall('POST', 'cloud/faults', { ...fault, times: Number($('fault-times').value) || 1 });
    });
  }
  $('faults-clear').addEventListener('click', () => cloudCall('DELETE', 'cloud/faults'));
  setInterval(tickCountdowns, 200);
}

void boot();
