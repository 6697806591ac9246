// Creating and editing a claim as seed 000 walks it: solution area → partner role → the claim's
// details (name, location, customer) → products or subscriptions → contacts → review → "Add
// customer" (a draft). Editing shows the same steps; in a status that allows only some fields
// (catalogue: editableFields) the others are read-only. The API validates everything; its
// field errors are shown on the step that holds the field.

import * as api from '../lib/api.js';
import { h, fill, field, checkbox, select, uid } from '../lib/dom.js';
import { showProblem, busy } from '../lib/forms.js';
import { steps } from '../lib/page.js';
import { t, label, languages } from '../lib/i18n.js';

const STEPS = ['area', 'role', 'details', 'products', 'contacts', 'review'];

function locations(user) {
  const raw = user.partner_locations ?? [];
  return Array.isArray(raw) ? raw : String(raw).replace(/[[\]]/g, '').split(/[\s,]+/).filter(Boolean);
}

function radios(name, options, checked, legend) {
  return h('fieldset', { 'data-field': name },
    h('legend', {}, legend),
    options.map(([value, text, hint]) => {
      const id = uid();
      return h('div', {},
        h('label', { class: 'inline', for: id },
          h('input', { type: 'radio', name, value, id, checked: value === checked }), text),
        hint ? h('p', { class: 'hint' }, hint) : null);
    }));
}

function languageSelect(name, selected) {
  return select([['', t('form.languageDefault')], ...languages.map((l) => [l, t(`lang.${l}`)])], { name, selected: selected ?? '' });
}

export async function render(main, ctx) {
  const [id] = ctx.params;
  const existing = id ? await api.call('GET', `/claims/${id}`) : null;
  const claim = existing?.body ?? {};
  const statusInfo = ctx.catalogue.statuses.find((s) => s.code === (claim.status ?? 'draft'));
  const editable = (name) => !existing || statusInfo.editableFields === null || statusInfo.editableFields.includes(name);
  const heading = existing ? t('form.editTitle', { name: claim.name }) : t('form.newTitle');
  ctx.title(heading);

  const state = {
    area: claim.solutionArea ?? ctx.catalogue.solutionAreas[0].code,
    role: claim.partnerRole,
    products: new Map((claim.products ?? []).map((p) => [p.product, p.subscriptionId ?? ''])),
  };
  const area = () => ctx.catalogue.solutionAreas.find((a) => a.code === state.area);

  const errors = h('div', {});
  const progress = h('ol', { class: 'steps', 'aria-label': t('form.steps') });
  const form = h('form', { novalidate: true });
  let step = 0;

  // step 1: solution area
  const areaStep = radios('solutionArea', ctx.catalogue.solutionAreas.map((a) => [a.code, label(a.labels)]), state.area, t('form.area'));
  areaStep.onchange = (e) => {
    state.area = e.target.value;
    state.role = undefined;
    state.products.clear();
  };
  // steps 2–4 depend on the area: built when shown
  const roleStep = h('div', {});
  const detailsStep = h('div', {});
  const productsStep = h('div', {});
  const contactsStep = h('div', {});
  const reviewStep = h('div', {});
  const containers = [areaStep, roleStep, detailsStep, productsStep, contactsStep, reviewStep];

  const input = (name, value, attrs = {}) => h('input', { name, value: value ?? '', disabled: !editable(name.split('.')[0]), ...attrs });
  const details = {
    name: input('name', claim.name, { autocomplete: 'off' }),
    partnerLocationId: select(locations(ctx.user).map((l) => [l, l]), { name: 'partnerLocationId', selected: claim.partnerLocationId, disabled: !editable('partnerLocationId') }),
    tenantId: input('customer.tenantId', claim.customer?.tenantId, { autocomplete: 'off', spellcheck: 'false' }),
    domain: input('customer.domain', claim.customer?.domain, { autocomplete: 'off', spellcheck: 'false' }),
    optOut: checkbox(t('form.optOut'), { name: 'incentiveOptOut', checked: claim.incentiveOptOut === true, disabled: !editable('incentiveOptOut') }),
    channel: select(ctx.catalogue.purchaseChannels.map((c) => [c.code, label(c.labels)]), { name: 'purchaseChannel', selected: claim.purchaseChannel, disabled: !editable('purchaseChannel') }),
  };
  const cc = claim.customerContact ?? {};
  const pc = claim.partnerContact ?? {};
  const rd = claim.revenueDetails ?? {};
  const contacts = {
    customerName: input('customerContact.name', cc.name, { autocomplete: 'off' }),
    customerTitle: input('customerContact.title', cc.title, { autocomplete: 'off' }),
    customerEmail: input('customerContact.email', cc.email, { type: 'email', autocomplete: 'off' }),
    customerLanguage: languageSelect('customerContact.language', cc.language),
    partnerName: input('partnerContact.name', pc.name, { autocomplete: 'name' }),
    partnerEmail: input('partnerContact.email', pc.email, { type: 'email', autocomplete: 'email' }),
    partnerLanguage: languageSelect('partnerContact.language', pc.language),
    sellerName: input('revenueDetails.sellerName', rd.sellerName),
    customerNameRd: input('revenueDetails.customerName', rd.customerName),
    isvProduct: input('revenueDetails.isvProduct', rd.isvProduct),
  };
  contacts.customerLanguage.disabled = !editable('customerContact');
  contacts.partnerLanguage.disabled = !editable('partnerContact');

  const buildRole = () => fill(roleStep, radios('partnerRole',
    area().roles.map((r) => [r.code, label(r.labels)]), state.role, t('form.role')));
  roleStep.onchange = (e) => { state.role = e.target.value; };

  const buildDetails = () => fill(detailsStep, h('fieldset', {}, h('legend', {}, t('form.details')),
    field(t('form.name'), details.name, { name: 'name' }),
    field(t('form.location'), details.partnerLocationId, { name: 'partnerLocationId' }),
    field(t('form.tenantId'), details.tenantId, { name: 'customer.tenantId', hint: t('form.tenantIdHint') }),
    field(t('form.domain'), details.domain, { name: 'customer.domain' }),
    area().allowsIncentiveOptOut ? h('div', { 'data-field': 'incentiveOptOut' }, details.optOut) : null,
    area().needsPurchaseChannel ? field(t('form.channel'), details.channel, { name: 'purchaseChannel', hint: t('form.channelHint') }) : null));

  const buildProducts = () => {
    const disabled = !editable('products');
    const rows = area().products.map((p) => {
      const box = checkbox(p.name, { name: `product:${p.code}`, checked: state.products.has(p.code), disabled });
      const sub = area().productsNeedSubscription
        ? h('input', { name: `subscription:${p.code}`, value: state.products.get(p.code) ?? '', disabled, 'aria-label': t('form.subscriptionFor', { product: p.name }), spellcheck: 'false' })
        : null;
      box.querySelector('input').onchange = (e) => {
        if (e.target.checked) state.products.set(p.code, sub?.value ?? '');
        else state.products.delete(p.code);
      };
      if (sub) sub.oninput = () => { if (state.products.has(p.code)) state.products.set(p.code, sub.value.trim()); };
      return h('div', {}, box, sub);
    });
    fill(productsStep, h('fieldset', { 'data-field': 'products' },
      h('legend', {}, area().productsNeedSubscription ? t('form.subscriptions') : t('form.workloads')),
      area().productsNeedSubscription ? h('p', { class: 'hint' }, t('form.subscriptionHint')) : null,
      rows));
  };

  const needsRevenue = () => area().roles.find((r) => r.code === state.role)?.needsRevenueDetails;
  const buildContacts = () => fill(contactsStep,
    h('fieldset', { 'data-field': 'customerContact' }, h('legend', {}, t('form.customerContact')),
      field(t('form.contactName'), contacts.customerName, { name: 'customerContact.name' }),
      field(t('form.contactTitle'), contacts.customerTitle, { name: 'customerContact.title' }),
      field(t('form.contactEmail'), contacts.customerEmail, { name: 'customerContact.email', hint: t('form.customerEmailHint') }),
      field(t('form.contactLanguage'), contacts.customerLanguage, { name: 'customerContact.language' })),
    h('fieldset', { 'data-field': 'partnerContact' }, h('legend', {}, t('form.partnerContact')),
      field(t('form.contactName'), contacts.partnerName, { name: 'partnerContact.name' }),
      field(t('form.contactEmail'), contacts.partnerEmail, { name: 'partnerContact.email' }),
      field(t('form.contactLanguage'), contacts.partnerLanguage, { name: 'partnerContact.language' })),
    needsRevenue() ? h('fieldset', { 'data-field': 'revenueDetails' }, h('legend', {}, t('form.revenueDetails')),
      field(t('form.sellerName'), contacts.sellerName, { name: 'revenueDetails.sellerName' }),
      field(t('form.customerName'), contacts.customerNameRd, { name: 'revenueDetails.customerName' }),
      field(t('form.isvProduct'), contacts.isvProduct, { name: 'revenueDetails.isvProduct' })) : null);

  const contact = (name, title, email, lang) => ({
    name: name.value.trim(), ...(title ? { title: title.value.trim() } : {}), email: email.value.trim(),
    ...(lang.value ? { language: lang.value } : {}),
  });
  const body = () => {
    const a = area();
    const full = {
      name: details.name.value.trim(),
      partnerLocationId: details.partnerLocationId.value,
      customer: { tenantId: details.tenantId.value.trim(), ...(details.domain.value.trim() ? { domain: details.domain.value.trim() } : {}) },
      solutionArea: state.area,
      partnerRole: state.role,
      products: [...state.products].map(([product, sub]) => (a.productsNeedSubscription ? { product, subscriptionId: sub } : { product })),
      customerContact: contact(contacts.customerName, contacts.customerTitle, contacts.customerEmail, contacts.customerLanguage),
      partnerContact: contact(contacts.partnerName, null, contacts.partnerEmail, contacts.partnerLanguage),
    };
    if (a.allowsIncentiveOptOut) full.incentiveOptOut = details.optOut.querySelector('input').checked;
    if (a.needsPurchaseChannel) full.purchaseChannel = details.channel.value;
    if (needsRevenue()) {
      full.revenueDetails = { sellerName: contacts.sellerName.value.trim(), customerName: contacts.customerNameRd.value.trim(), isvProduct: contacts.isvProduct.value.trim() };
    }
    if (!existing) return full;
    return Object.fromEntries(Object.entries(full).filter(([k]) => editable(k)));
  };

  const buildReview = () => {
    const b = body();
    const a = area();
    const role = a.roles.find((r) => r.code === state.role);
    const productName = (code) => a.products.find((p) => p.code === code)?.name ?? code;
    fill(reviewStep, h('h2', {}, t('form.review')),
      h('dl', { class: 'facts' },
        h('dt', {}, t('form.area')), h('dd', {}, label(a.labels)),
        h('dt', {}, t('form.role')), h('dd', {}, role ? label(role.labels) : '—'),
        h('dt', {}, t('form.name')), h('dd', {}, details.name.value || '—'),
        h('dt', {}, t('form.location')), h('dd', {}, details.partnerLocationId.value),
        h('dt', {}, t('form.tenantId')), h('dd', {}, details.tenantId.value || '—'),
        h('dt', {}, a.productsNeedSubscription ? t('form.subscriptions') : t('form.workloads')),
        h('dd', {}, [...state.products].map(([p, s]) => (s ? `${productName(p)} (${s})` : productName(p))).join(', ') || '—'),
        h('dt', {}, t('form.customerContact')), h('dd', {}, `${contacts.customerName.value} <${contacts.customerEmail.value}>`),
        h('dt', {}, t('form.partnerContact')), h('dd', {}, `${contacts.partnerName.value} <${contacts.partnerEmail.value}>`)),
      b.products && !b.products.length ? h('p', { class: 'field-error' }, t('form.noProducts')) : null);
  };

  const builders = [() => {}, buildRole, buildDetails, buildProducts, buildContacts, buildReview];
  const back = h('button', { type: 'button', 'data-go': 'back' }, t('form.back'));
  const next = h('button', { type: 'button', class: 'primary', 'data-go': 'next' }, t('form.next'));
  const save = h('button', { type: 'submit', class: 'primary' }, existing ? t('form.save') : t('form.create'));

  // a step is rebuilt only when the area or role it depends on changed (the API's error
  // messages stay beside their fields when a person moves between steps)
  const builtFor = [];
  const build = (i) => {
    const key = i === STEPS.length - 1 ? Math.random() : `${state.area}|${state.role}`;
    if (builtFor[i] !== key) {
      builders[i]();
      builtFor[i] = key;
    }
  };
  const showStep = steps({ names: STEPS.map((x) => t(`step.${x}`)), containers, progress, back, next, finish: save });
  const show = (i) => {
    step = i;
    build(i);
    showStep(i);
    const first = containers[i].querySelector('input:not([disabled]), select:not([disabled])');
    if (first && i > 0) first.focus();
  };
  back.onclick = () => show(step - 1);
  next.onclick = () => {
    if (step === 1 && !state.role) {
      showProblem(errors, form, { fields: [{ field: 'partnerRole', message: t('form.chooseRole') }] });
      return;
    }
    fill(errors);
    show(step + 1);
  };
  form.onsubmit = async (e) => {
    e.preventDefault();
    // Enter in a field before the last step moves on, as Next does
    if (step < STEPS.length - 1) {
      next.click();
      return;
    }
    const saved = await busy(save, errors, form, () => (existing
      ? api.call('PATCH', `/claims/${id}`, { body: body(), version: claim.version })
      : api.call('POST', '/claims', { body: body() })));
    if (saved) {
      ctx.go(`#/claims/${saved.body.id}`);
      return;
    }
    // the first field the API named: show its step (all steps stay in the form)
    const invalid = form.querySelector('[aria-invalid="true"]');
    const at = containers.findIndex((c) => invalid && c.contains(invalid));
    if (at >= 0 && at !== step) show(at);
  };

  // every step is built once so that the API's errors find their fields
  builders.forEach((_, i) => build(i));
  fill(form, containers, h('div', { class: 'actions' }, back, next, save));
  fill(main,
    h('h1', {}, heading),
    existing ? h('p', {}, h('a', { href: `#/claims/${id}` }, t('form.backToClaim'))) : null,
    progress, errors, form);
  show(0);
}
