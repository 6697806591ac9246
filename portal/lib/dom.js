// Building the page from data without ever parsing data as HTML: every text goes in as a text
// node, every attribute through setAttribute (nothing in the portal parses markup; a test checks).

/** h('a', {href: '#/x'}, 'text', child…): an element; null / false children are skipped. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2), value);
    } else if (value === true) {
      el.setAttribute(name, '');
    } else {
      el.setAttribute(name, String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces an element's content. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let counter = 0;
/** A unique element ID (labels, hints and errors refer to fields by ID). */
export function uid(prefix = 'f') {
  counter += 1;
  return `${prefix}-${counter}`;
}

/**
 * A labelled form control. `name` is the API's field path (`customer.tenantId`): errors from
 * the API are shown under the control with that name.
 */
export function field(label, control, { hint, name } = {}) {
  const id = control.id || uid();
  control.id = id;
  if (name) control.dataset.field = name;
  const hintEl = hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  return h('div', { class: 'field' }, h('label', { for: id }, label), hintEl, control);
}

/** A checkbox with its label after it. */
export function checkbox(label, attrs = {}) {
  const id = attrs.id || uid();
  const input = h('input', { type: 'checkbox', ...attrs, id });
  return h('label', { class: 'inline', for: id }, input, label);
}

/** A select with `[value, text]` options, `selected` chosen. */
export function select(options, { selected, ...attrs } = {}) {
  return h('select', attrs, options.map(([value, text]) =>
    h('option', { value, selected: value === selected }, text)));
}

/** Collects the form's named controls as a flat {name: value}. */
export function values(form) {
  const out = {};
  for (const el of form.elements) {
    if (!el.name) continue;
    if (el.type === 'checkbox') out[el.name] = el.checked;
    else out[el.name] = el.value.trim();
  }
  return out;
}
