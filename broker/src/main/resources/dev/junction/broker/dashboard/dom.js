// Building the page. Every piece of data reaches the document as a text node or an attribute value set through
// the DOM, never as markup: nothing here parses HTML, so a queue named "<img onerror=...>" is shown, not run.

/**
 * An element: el('td', {class: 'num'}, 'text', otherNode). Attributes named on* become event listeners; null,
 * undefined and false attributes or children are left out; strings and numbers become text nodes.
 */
export function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value == null || value === false) {
      continue;
    }
    if (name.startsWith('on')) {
      e.addEventListener(name.slice(2), value);
    } else {
      e.setAttribute(name, value === true ? '' : String(value));
    }
  }
  add(e, children);
  return e;
}

function add(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) {
      continue;
    }
    parent.append(child instanceof Node ? child : String(child));
  }
}

/** Replaces the children of parent. */
export function fill(parent, ...children) {
  parent.replaceChildren();
  add(parent, children);
  return parent;
}

/** A short remark in a page: class 'note' for information, 'error' for a failure. */
export function note(text, kind = 'note', id) {
  return el('p', { class: kind, id }, text);
}

/** The failure of a call, said plainly; a 404 means the broker has no such endpoint (or object). */
export function failure(what, error) {
  if (error.status === 404) {
    return note(`${what}: not available on this broker.`, 'note unavailable');
  }
  if (error.status === 401) {
    return note(`${what}: not authorised (${error.reason || 'this user may not see it'}).`, 'error');
  }
  return note(`${what}: ${error.message}`, 'error');
}

/**
 * A table: columns are {title, value: row => text or node, num: true for right-aligned numbers}; rows a list.
 * key(row) names a row in its data-key attribute (for finding it again); an empty list shows `empty`.
 */
export function table(id, columns, rows, { key, empty = 'Nothing here yet.' } = {}) {
  const head = el('tr', null, columns.map((c) => el('th', { class: c.num ? 'num' : null }, c.title)));
  const body = el('tbody');
  for (const row of rows) {
    body.append(el('tr', { 'data-key': key ? key(row) : null },
      columns.map((c) => el('td', { class: c.num ? 'num' : c.cls }, c.value(row)))));
  }
  if (rows.length === 0) {
    body.append(el('tr', { class: 'empty' }, el('td', { colspan: columns.length }, empty)));
  }
  return el('table', { id }, el('thead', null, head), body);
}

/**
 * A button for a destructive action that asks once more: the first click arms it ("Purge?"), a second click
 * within five seconds runs the action. While a button is armed the page does not redraw under it.
 */
export function confirmButton(label, action, cls) {
  const button = el('button', { type: 'button', class: `danger ${cls || ''}`.trim() }, label);
  let timer = null;
  button.addEventListener('click', async () => {
    if (!button.classList.contains('armed')) {
      button.classList.add('armed');
      button.textContent = `${label}?`;
      timer = setTimeout(() => {
        button.classList.remove('armed');
        button.textContent = label;
      }, 5000);
      return;
    }
    clearTimeout(timer);
    button.classList.remove('armed');
    button.disabled = true;
    button.textContent = `${label}…`;
    try {
      await action();
    } finally {
      button.disabled = false;
      button.textContent = label;
    }
  });
  return button;
}

/** True while a confirmButton waits for its second click. */
export function armed(root) {
  return root.querySelector('button.armed') !== null;
}

export function yes(value) {
  return value ? 'yes' : 'no';
}

export function count(value) {
  return value == null ? '–' : Number(value).toLocaleString('en');
}

/** A rate per second from RabbitMQ's message_stats ({name}_details.rate), one decimal; '–' when not reported. */
export function rateOf(stats, name) {
  const details = stats && stats[`${name}_details`];
  return details && typeof details.rate === 'number'
    ? details.rate.toLocaleString('en', { minimumFractionDigits: 1, maximumFractionDigits: 1 }) : '–';
}

/** Seconds as an operator reads an age: 0 s, 42 s, 5 min 3 s, 2 h 10 min. */
export function age(seconds) {
  if (seconds == null) {
    return '–';
  }
  const s = Math.floor(seconds);
  if (s < 60) {
    return `${s} s`;
  }
  if (s < 3600) {
    return `${Math.floor(s / 60)} min ${s % 60} s`;
  }
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** A JSON value as compact text (arguments, properties); empty objects show as nothing. */
export function json(value) {
  if (value == null || (typeof value === 'object' && Object.keys(value).length === 0)) {
    return '';
  }
  return JSON.stringify(value);
}

/** A section of a page: a heading, an optional toolbar, and a body that refresh() fills. */
export function panel(title, ...tools) {
  const body = el('div', { class: 'panel-body' });
  const head = el('div', { class: 'panel-head' }, el('h2', null, title), tools);
  const root = el('section', { class: 'panel' }, head, body);
  return { root, body };
}

/** A labelled form field. */
export function field(label, input) {
  return el('label', null, label, ' ', input);
}
