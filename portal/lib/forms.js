// Showing what the API said about a form: an error summary at the top (focused, announced)
// linking to each field it names, and the message under that field (aria-invalid,
// aria-describedby), so a person using a screen reader hears which field and why.

import { h, fill, uid } from './dom.js';
import { t } from './i18n.js';

function clear(form) {
  for (const el of form.querySelectorAll('.field-error')) el.remove();
  for (const el of form.querySelectorAll('[aria-invalid]')) {
    el.removeAttribute('aria-invalid');
    const ids = (el.getAttribute('aria-describedby') ?? '').split(' ').filter((i) => !i.endsWith('-err'));
    if (ids.length) el.setAttribute('aria-describedby', ids.join(' '));
    else el.removeAttribute('aria-describedby');
  }
}

/** The control for an API field path: exact, else the closest parent path named. */
function controlFor(form, path) {
  let p = path;
  while (p) {
    const el = form.querySelector(`[data-field="${CSS.escape(p)}"]`);
    if (el) return el;
    p = p.includes('.') || p.includes('[') ? p.replace(/(\.[^.[\]]+|\[\d+\])$/, '') : '';
  }
  return null;
}

/** What a person reads as the control's name: its label, or its group's legend. */
function nameOf(form, control) {
  const label = form.querySelector(`label[for="${CSS.escape(control.id)}"]`);
  const legend = control.tagName === 'FIELDSET' ? control.querySelector('legend') : null;
  return (label ?? legend)?.textContent.trim() ?? '';
}

/** Shows `error` (an ApiError or any Error) in `box`, marking `form`'s fields. */
export function showProblem(box, form, error) {
  if (form) clear(form);
  const items = [];
  for (const { field, message } of error.fields ?? []) {
    const control = form ? controlFor(form, field) : null;
    if (control) {
      if (!control.id) control.id = uid();
      const id = `${control.id}-err`;
      if (!document.getElementById(id)) {
        control.insertAdjacentElement('afterend', h('p', { class: 'field-error', id }, message));
        control.setAttribute('aria-invalid', 'true');
        const described = control.getAttribute('aria-describedby');
        control.setAttribute('aria-describedby', described ? `${described} ${id}` : id);
      }
      const named = nameOf(form, control);
      items.push(h('li', {}, h('a', { href: `#${control.id}`, onclick: (e) => { e.preventDefault(); control.focus(); } },
        named ? `${named}: ${message}` : message)));
    } else {
      items.push(h('li', {}, `${field}: ${message}`));
    }
  }
  fill(box,
    h('div', { class: 'errors', role: 'alert', tabindex: '-1' },
      h('h2', {}, t('error.title')),
      h('p', {}, error.fields?.length ? t('error.fields') : (error.message || t('error.generic'))),
      items.length ? h('ul', {}, items) : null));
  box.firstChild.focus();
  return items.length;
}

/** Shows a success notice in `box` (announced politely). */
export function showNotice(box, text) {
  fill(box, h('p', { class: 'notice', role: 'status' }, text));
}

/**
 * Runs `action` while `button` is disabled; errors go to `box`. Resolves to the action's result
 * or undefined when it failed.
 */
export async function busy(button, box, form, action) {
  button.disabled = true;
  try {
    return await action();
  } catch (error) {
    showProblem(box, form, error);
    return undefined;
  } finally {
    button.disabled = false;
  }
}
