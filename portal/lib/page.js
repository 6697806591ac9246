// The pieces every screen builds with: sections with their heading, action forms that call the
// API with one Idempotency-Key per form, the notice an action leaves for the page it reloads,
// a list that pages through `nextCursor`, and the steps of a wizard.

import * as api from './api.js';
import { h, fill, uid } from './dom.js';
import { showNotice, busy } from './forms.js';
import { t } from './i18n.js';

const NOTICE = 'cpor.notice';

/** A section labelled by its heading (`h2` on a page, `h3` inside another section). */
export function section(title, content, level = 'h2') {
  const id = uid('h');
  return h('section', { 'aria-labelledby': id }, h(level, { id }, title), content);
}

/**
 * An action as a form of its own (`data-action=name`): its fields, its submit button, its
 * error box; `run(form, key)` gets the form and the action's Idempotency-Key (a retry of the
 * same form reuses it).
 */
export function actionForm({ name, title, fields = [], button, danger, run }) {
  const errors = h('div', {});
  const submit = h('button', { type: 'submit', class: danger ? 'danger' : 'primary' }, button);
  const form = h('form', { novalidate: true }, fields, h('div', { class: 'actions' }, submit));
  const key = api.actionKey();
  form.onsubmit = (e) => {
    e.preventDefault();
    busy(submit, errors, form, () => run(form, key));
  };
  const box = section(title, [errors, form], 'h3');
  box.dataset.action = name;
  return box;
}

/** After an action: the same route again, saying `message` at the top. */
export function done(ctx, message) {
  sessionStorage.setItem(NOTICE, message);
  ctx.go(location.hash);
}

/** Leaves a notice for the next screen (e.g. a created claim's page). */
export function noticeNext(message) {
  sessionStorage.setItem(NOTICE, message);
}

/** The notice an action left, shown in a box (empty when there is none). */
export function takeNotice() {
  const box = h('div', {});
  const saved = sessionStorage.getItem(NOTICE);
  if (saved) {
    sessionStorage.removeItem(NOTICE);
    showNotice(box, saved);
  }
  return box;
}

/**
 * A list that pages: `fetchPage(cursor)` resolves to the API's `{items, nextCursor}`; each item
 * becomes a row. Returns the pieces to place and `load` (the first page).
 */
export function pagedTable({ caption, headers, row, fetchPage, emptyText }) {
  const body = h('tbody', {});
  const table = h('table', {}, h('caption', {}, caption),
    h('thead', {}, h('tr', {}, headers.map((x) => h('th', { scope: 'col' }, x)))), body);
  const empty = h('p', { hidden: true }, emptyText);
  const more = h('button', { type: 'button', hidden: true }, t('claims.more'));
  const errors = h('div', {});
  let cursor;
  let shown = 0;
  const load = async () => {
    const page = await fetchPage(cursor);
    for (const item of page.items) body.append(row(item));
    shown += page.items.length;
    cursor = page.nextCursor;
    more.hidden = !cursor;
    empty.hidden = shown > 0 || Boolean(cursor);
    table.hidden = shown === 0;
  };
  more.onclick = () => busy(more, errors, null, load);
  return { errors, table, empty, more, load };
}

/**
 * A wizard's steps: one container shown at a time, the progress list naming them, and the
 * Back / Next / final buttons. `show(i)` moves to step `i`.
 */
export function steps({ names, containers, progress, back, next, finish }) {
  return (i) => {
    containers.forEach((c, n) => { c.hidden = n !== i; });
    fill(progress, names.map((s, n) => h('li', { 'aria-current': n === i ? 'step' : null }, s)));
    back.hidden = i === 0;
    next.hidden = i === names.length - 1;
    finish.hidden = i !== names.length - 1;
  };
}
