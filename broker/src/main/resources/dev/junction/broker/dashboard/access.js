// Users, virtual hosts, permissions and policies. Administrators see the forms (add a user, a vhost, a permission,
// a policy) and the delete buttons; the API decides in the end, and its refusal is shown as it gives it.

import { del, get, put, seg } from './api.js';
import { confirmButton, count, el, failure, field, fill, panel, table } from './dom.js';
import { policiesPanel } from './policies.js';

function input(id, attrs = {}) {
  return el('input', { id, ...attrs });
}

function create({ me }) {
  const admin = (me.tags || []).includes('administrator');
  const status = el('div', { class: 'status', id: 'access-status' });
  const users = panel('Users');
  const vhosts = panel('Virtual hosts');
  const permissions = panel('Permissions');
  let refresh;

  /** Runs one change, says how it went, redraws; true when the API took it. */
  const run = async (done, call) => {
    let ok = false;
    try {
      await call();
      fill(status, done);
      status.className = 'status ok';
      ok = true;
    } catch (e) {
      fill(status, failure(done, e));
      status.className = 'status';
    }
    await refresh();
    return ok;
  };

  const userName = input('user-name', { required: true, autocomplete: 'off' });
  const userPassword = input('user-password', { type: 'password', required: true, autocomplete: 'new-password' });
  const userTags = input('user-tags', { placeholder: 'management, monitoring, administrator' });
  const userForm = el('form', {
    class: 'form-row', id: 'add-user',
    onsubmit: (e) => {
      e.preventDefault();
      const name = userName.value.trim();
      const user = { password: userPassword.value, tags: userTags.value.trim() };
      run(`Added user ${name}`, () => put(`/api/users/${seg(name)}`, user))
        .then((ok) => ok && userForm.reset());
    },
  }, field('Name', userName), field('Password', userPassword), field('Tags', userTags),
  el('button', { type: 'submit', id: 'add-user-submit' }, 'Add user'));

  const vhostName = input('vhost-name', { required: true, autocomplete: 'off' });
  const vhostForm = el('form', {
    class: 'form-row', id: 'add-vhost',
    onsubmit: (e) => {
      e.preventDefault();
      const name = vhostName.value.trim();
      run(`Added virtual host ${name}`, () => put(`/api/vhosts/${seg(name)}`, {}))
        .then((ok) => ok && vhostForm.reset());
    },
  }, field('Name', vhostName), el('button', { type: 'submit' }, 'Add virtual host'));

  const permUser = input('perm-user', { required: true, autocomplete: 'off' });
  const permVhost = input('perm-vhost', { required: true, value: '/' });
  const permConfigure = input('perm-configure', { value: '.*', size: 8 });
  const permWrite = input('perm-write', { value: '.*', size: 8 });
  const permRead = input('perm-read', { value: '.*', size: 8 });
  const permForm = el('form', {
    class: 'form-row', id: 'set-permission',
    onsubmit: (e) => {
      e.preventDefault();
      const user = permUser.value.trim();
      const vhost = permVhost.value;
      run(`Set permissions of ${user} in ${vhost}`, () => put(`/api/permissions/${seg(vhost)}/${seg(user)}`,
        { configure: permConfigure.value, write: permWrite.value, read: permRead.value }));
    },
  }, field('User', permUser), field('Virtual host', permVhost), field('Configure', permConfigure),
  field('Write', permWrite), field('Read', permRead), el('button', { type: 'submit' }, 'Set permission'));

  const usersList = el('div');
  const vhostsList = el('div');
  const permissionsList = el('div');
  fill(users.body, usersList, admin ? userForm : null);
  fill(vhosts.body, vhostsList, admin ? vhostForm : null);
  fill(permissions.body, permissionsList, admin ? permForm : null);
  const policies = policiesPanel({ me, run: (done, call) => run(done, call) });
  const root = el('div', null, status, users.root, vhosts.root, permissions.root, policies.root);

  refresh = async () => {
    try {
      const list = await get('/api/users');
      fill(usersList, table('users', [
        { title: 'Name', value: (u) => u.name, cls: 'name' },
        { title: 'Tags', value: (u) => (u.tags || []).join(', ') },
        { title: 'Password hashing', value: (u) => u.hashing_algorithm, cls: 'small' },
        { title: '', value: (u) => (admin && u.name !== me.name
          ? confirmButton('Delete',
            () => run(`Deleted user ${u.name}`, () => del(`/api/users/${seg(u.name)}`)), 'delete')
          : '') },
      ], list, { key: (u) => u.name }));
    } catch (e) {
      fill(usersList, failure('Users', e));
    }
    try {
      const list = await get('/api/vhosts');
      fill(vhostsList, table('vhosts', [
        { title: 'Name', value: (v) => v.name, cls: 'name' },
        { title: 'Messages', value: (v) => count(v.messages), num: true },
        { title: 'Ready', value: (v) => count(v.messages_ready), num: true },
        { title: 'Unacked', value: (v) => count(v.messages_unacknowledged), num: true },
      ], list, { key: (v) => v.name }));
    } catch (e) {
      fill(vhostsList, failure('Virtual hosts', e));
    }
    try {
      const list = await get('/api/permissions');
      fill(permissionsList, table('permissions', [
        { title: 'User', value: (p) => p.user },
        { title: 'Virtual host', value: (p) => p.vhost },
        { title: 'Configure', value: (p) => p.configure, cls: 'mono' },
        { title: 'Write', value: (p) => p.write, cls: 'mono' },
        { title: 'Read', value: (p) => p.read, cls: 'mono' },
        { title: '', value: (p) => (admin
          ? confirmButton('Revoke', () => run(`Revoked ${p.user} in ${p.vhost}`,
            () => del(`/api/permissions/${seg(p.vhost)}/${seg(p.user)}`)), 'revoke')
          : '') },
      ], list, { key: (p) => `${p.vhost}|${p.user}` }));
    } catch (e) {
      fill(permissionsList, failure('Permissions', e));
    }
    await policies.refresh();
  };

  return { root, refresh };
}

export default { title: 'Users, virtual hosts and permissions', create };
