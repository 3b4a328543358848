// The dashboard: log-in, the page named by the URL's fragment (#queues, ...), and a poll every five seconds
// that samples the overview's history and redraws the open page.

import { ApiError, call, forget, save, saved, token } from './api.js';
import { el, fill, note } from './dom.js';
import * as overviewData from './overview.js';
import overview from './overview.js';
import connections from './connections.js';
import queues from './queues.js';
import exchanges from './exchanges.js';
import mqtt from './mqtt.js';
import cluster from './cluster.js';
import access from './access.js';
import alarms from './alarms.js';

const PAGES = { overview, connections, queues, exchanges, mqtt, cluster, access, alarms };
const POLL_MS = 5000;
const $ = (id) => document.getElementById(id);

let me = null;
let current = null;
let timer = null;
let busy = false;

function showLogin(message) {
  clearInterval(timer);
  timer = null;
  me = null;
  current = null;
  for (const id of ['nav', 'who', 'refresh', 'logout', 'page']) {
    $(id).hidden = true;
  }
  fill($('page'));
  $('login').hidden = false;
  $('login-password').value = '';
  fill($('login-error'), message || '');
  $('login-user').focus();
}

function showApp() {
  $('login').hidden = true;
  for (const id of ['nav', 'who', 'refresh', 'logout', 'page']) {
    $(id).hidden = false;
  }
  fill($('who'), `${me.name}${me.tags && me.tags.length ? ` (${me.tags.join(', ')})` : ''}`);
  open();
  timer = setInterval(poll, POLL_MS);
}

function pageName() {
  const name = location.hash.replace(/^#/, '');
  return Object.hasOwn(PAGES, name) ? name : 'overview';
}

/** Builds the page the fragment names and draws it at once. */
async function open() {
  const name = pageName();
  for (const a of document.querySelectorAll('#nav a')) {
    a.classList.toggle('active', a.getAttribute('href') === `#${name}`);
  }
  const page = PAGES[name];
  const updated = el('span', { class: 'updated', id: 'updated' });
  current = { name, updated, ...page.create({ me }) };
  document.title = `${page.title} · Junction`;
  fill($('page'), el('div', { class: 'page-head' }, el('h1', { id: 'page-title' }, page.title), updated), current.root);
  await redraw(current);
}

/** Draws the page again; the overview takes a fresh sample first unless the poll has just taken one. */
async function redraw(page) {
  if (page.name === 'overview' && overviewData.latestSampleAge() > 1000) {
    await overviewData.sample();
  }
  try {
    await page.refresh();
    fill(page.updated, `Updated ${new Date().toLocaleTimeString('en-GB')}`);
  } catch (e) {
    fill(page.updated, note(`Refresh failed: ${e.message}`, 'error'));
  }
  page.root.setAttribute('data-ready', 'true');
}

/** One poll: a sample for the charts, then the open page, unless a button there waits for its confirming click. */
async function poll() {
  if (busy || !current) {
    return;
  }
  busy = true;
  try {
    await overviewData.sample();
    if (current && current.root.querySelector('button.armed') === null) {
      await redraw(current);
    }
    await stillLoggedIn();
  } finally {
    busy = false;
  }
}

/** A 401 on a page may be a right this user lacks; a 401 on whoami means the credentials no longer work. */
async function stillLoggedIn() {
  try {
    await call('GET', '/api/whoami');
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      forget();
      showLogin(`Logged out: ${e.reason || 'the credentials were refused'}.`);
    }
  }
}

async function logIn(event) {
  event.preventDefault();
  const credentials = token($('login-user').value, $('login-password').value);
  $('login-submit').disabled = true;
  try {
    me = await call('GET', '/api/whoami', undefined, {}, credentials);
    save(credentials);
    $('login-password').value = '';
    showApp();
  } catch (e) {
    showLogin(`Log-in failed: ${e.reason || e.message}`);
  } finally {
    $('login-submit').disabled = false;
  }
}

async function start() {
  $('login-form').addEventListener('submit', logIn);
  $('logout').addEventListener('click', () => {
    forget();
    showLogin('Logged out.');
  });
  $('refresh').addEventListener('click', () => current && redraw(current));
  window.addEventListener('hashchange', () => me && open());
  if (!saved()) {
    showLogin();
    return;
  }
  try {
    me = await call('GET', '/api/whoami');
    showApp();
  } catch (e) {
    forget();
    showLogin(e.status === 401 ? '' : `The broker did not answer: ${e.message}`);
  }
}

start();
