// Adding or claiming a customer for MCI engagements, as seed 004 walks it: a friendly name →
// the location → the customer's identifier (eligibility is checked here) → the engagements
// both are eligible for (variable pay: exactly one, with the planned hours) → contacts →
// review (variable pay: the proposed payment) → "Add customer".

import * as api from '../lib/api.js';
import { h, fill, field, checkbox, select } from '../lib/dom.js';
import { busy } from '../lib/forms.js';
import { steps as stepper } from '../lib/page.js';
import { t, languages } from '../lib/i18n.js';
import { identifier } from './engagements.js';

const STEPS = ['customer', 'engagements', 'contacts', 'review'];

function languageSelect(name) {
  return select([['', t('form.languageDefault')], ...languages.map((l) => [l, t(`lang.${l}`)])], { name });
}

export async function render(main, ctx) {
  const [engagementId] = ctx.params;
  const source = ctx.query.get('source') === 'claim' ? 'claim' : 'add';
  const { body: catalogue } = await api.call('GET', '/engagements');
  const current = catalogue.items.find((e) => e.id === engagementId);
  if (!current) throw new Error(t('mci.unknown'));
  const heading = source === 'claim' ? t('mci.claimCustomer') : t('nav.new');
  ctx.title(`${heading} – ${current.name}`);

  const locations = [...new Set(catalogue.items.flatMap((e) => e.eligibleLocationIds))];
  const types = [...new Set(catalogue.items.flatMap((e) => e.identifierTypes))];
  const input = (name, attrs = {}) => h('input', { name, autocomplete: 'off', ...attrs });
  const f = {
    name: input('name'),
    location: select(locations.map((l) => [l, l]), { name: 'partnerLocationId', selected: current.eligibleLocationIds[0] }),
    type: select(types.map((x) => [x, t(`identifier.${x}`)]), { name: 'customer.identifierType', selected: ctx.query.get('type') ?? current.identifierTypes[0] }),
    value: input('customer.value', { value: ctx.query.get('value') ?? '', spellcheck: 'false' }),
    customerName: input('customerContact.name'),
    customerTitle: input('customerContact.title'),
    customerEmail: input('customerContact.email', { type: 'email' }),
    customerLanguage: languageSelect('customerContact.language'),
    partnerName: input('partnerContact.name', { autocomplete: 'name' }),
    partnerEmail: input('partnerContact.email', { type: 'email', autocomplete: 'email' }),
    partnerLanguage: languageSelect('partnerContact.language'),
    hours: input('plannedHours', { type: 'number', min: '1', step: '1', inputmode: 'numeric' }),
    mismatch: h('textarea', { name: 'tenantMismatchReason', rows: 2 }),
  };
  if (source === 'claim') {
    f.type.disabled = true;
    f.value.readOnly = true;
  }
  const state = { assessments: [], mismatch: false, quote: null };

  const errors = h('div', {});
  const progress = h('ol', { class: 'steps', 'aria-label': t('form.steps') });
  const containers = STEPS.map(() => h('div', {}));
  const form = h('form', { novalidate: true });
  let step = 0;

  fill(containers[0], h('fieldset', {}, h('legend', {}, t('mci.customerStep')),
    field(t('mci.friendlyName'), f.name, { name: 'name', hint: t('mci.friendlyNameHint') }),
    field(t('form.location'), f.location, { name: 'partnerLocationId', hint: t('mci.locationHint') }),
    field(t('mci.identifierType'), f.type, { name: 'customer.identifierType' }),
    field(t('mci.identifierValue'), f.value, { name: 'customer.value' }),
    field(t('mci.customerEmail'), f.customerEmail, { name: 'customerContact.email', hint: t('mci.customerEmailHint') })));

  const chosen = () => [...containers[1].querySelectorAll('input[name=engagementIds]:checked')].map((i) => i.value);
  const variableChosen = () => chosen().some((id) => catalogue.items.find((e) => e.id === id)?.payType === 'variable');
  const buildEngagements = () => {
    const hoursField = field(t('mci.plannedHours'), f.hours, { name: 'plannedHours', hint: t('mci.plannedHoursHint') });
    const sync = () => { hoursField.hidden = !variableChosen(); };
    fill(containers[1], h('fieldset', { 'data-field': 'engagementIds' }, h('legend', {}, t('mci.engagementsStep')),
      h('p', { class: 'hint' }, t('mci.engagementsHint')),
      catalogue.items.map((e) => {
        const a = state.assessments.find((x) => x.engagementId === e.id);
        const eligible = a?.eligible ?? false;
        const box = checkbox(`${e.name} (${t(`mci.pay.${e.payType}`)})`, { name: 'engagementIds', value: e.id, disabled: !eligible, checked: eligible && e.id === engagementId });
        box.querySelector('input').addEventListener('change', sync);
        return h('div', {}, box, !eligible ? h('p', { class: 'hint' }, (a?.reasons ?? ['criteria_not_met']).map((r) => t(`ineligible.${r}`)).join(', ')) : null);
      })), hoursField);
    sync();
  };

  fill(containers[2],
    h('fieldset', { 'data-field': 'customerContact' }, h('legend', {}, t('form.customerContact')),
      field(t('form.contactName'), f.customerName, { name: 'customerContact.name' }),
      field(t('form.contactTitle'), f.customerTitle, { name: 'customerContact.title' }),
      field(t('form.contactLanguage'), f.customerLanguage, { name: 'customerContact.language' })),
    h('fieldset', { 'data-field': 'partnerContact' }, h('legend', {}, t('form.partnerContact')),
      field(t('form.contactName'), f.partnerName, { name: 'partnerContact.name' }),
      field(t('form.contactEmail'), f.partnerEmail, { name: 'partnerContact.email' }),
      field(t('form.contactLanguage'), f.partnerLanguage, { name: 'partnerContact.language' })));
  const mismatchField = field(t('mci.mismatchReason'), f.mismatch, { name: 'tenantMismatchReason', hint: t('mci.mismatchHint') });
  containers[2].append(mismatchField);

  const contact = (name, title, email, lang) => ({
    name: name.value.trim(), ...(title?.value.trim() ? { title: title.value.trim() } : {}), email: email.value.trim(),
    ...(lang.value ? { language: lang.value } : {}),
  });
  const customer = () => ({ identifierType: f.type.value, value: f.value.value.trim() });
  const body = () => ({
    name: f.name.value.trim(),
    partnerLocationId: f.location.value,
    source,
    customer: customer(),
    engagementIds: chosen(),
    ...(variableChosen() ? { plannedHours: Number(f.hours.value) } : {}),
    customerContact: contact(f.customerName, f.customerTitle, f.customerEmail, f.customerLanguage),
    partnerContact: contact(f.partnerName, null, f.partnerEmail, f.partnerLanguage),
    ...(state.mismatch && f.mismatch.value.trim() ? { tenantMismatchReason: f.mismatch.value.trim() } : {}),
  });
  const buildReview = () => {
    const b = body();
    const names = b.engagementIds.map((id) => catalogue.items.find((e) => e.id === id)?.name ?? id);
    fill(containers[3], h('h2', {}, t('form.review')), h('dl', { class: 'facts' },
      h('dt', {}, t('mci.friendlyName')), h('dd', {}, b.name || '—'),
      h('dt', {}, t('form.location')), h('dd', {}, b.partnerLocationId),
      h('dt', {}, t('col.customer')), h('dd', {}, identifier(b.customer)),
      h('dt', {}, t('mci.engagementsStep')), h('dd', {}, names.join(', ') || '—'),
      b.plannedHours ? [h('dt', {}, t('mci.plannedHours')), h('dd', {}, String(b.plannedHours))] : null,
      state.quote ? [h('dt', {}, t('mci.proposedPayment')), h('dd', { id: 'proposed-payment' }, usd(state.quote.proposedPaymentUsd))] : null,
      h('dt', {}, t('form.customerContact')), h('dd', {}, `${b.customerContact.name} <${b.customerContact.email}>`),
      h('dt', {}, t('form.partnerContact')), h('dd', {}, `${b.partnerContact.name} <${b.partnerContact.email}>`)));
  };

  const back = h('button', { type: 'button', 'data-go': 'back' }, t('form.back'));
  const next = h('button', { type: 'button', class: 'primary', 'data-go': 'next' }, t('form.next'));
  const save = h('button', { type: 'submit', class: 'primary' }, t('form.create'));
  const showStep = stepper({ names: STEPS.map((x) => t(`mci.step.${x}`)), containers, progress, back, next, finish: save });
  const show = (i) => {
    step = i;
    showStep(i);
    mismatchField.hidden = !state.mismatch;
  };
  back.onclick = () => show(step - 1);
  next.onclick = () => busy(next, errors, form, async () => {
    fill(errors);
    if (step === 0) {
      // eligibility of this customer and location for every engagement (seed 004's checks)
      const r = await api.call('POST', '/engagements/eligibility', {
        body: { partnerLocationId: f.location.value, ...customer(), ...(f.customerEmail.value.trim() ? { customerEmail: f.customerEmail.value.trim() } : {}) },
      });
      state.assessments = r.body.engagements;
      state.mismatch = r.body.tenantEmailDomainMismatch;
      buildEngagements();
    }
    if (step === 1 && variableChosen()) {
      const id = chosen()[0];
      const r = await api.call('POST', `/engagements/${encodeURIComponent(id)}/quote`, {
        body: { ...customer(), plannedHours: Number(f.hours.value) },
      });
      state.quote = r.body;
    } else if (step === 1) {
      state.quote = null;
    }
    if (step === 2) buildReview();
    show(step + 1);
  });
  form.onsubmit = async (e) => {
    e.preventDefault();
    // Enter in a field before the last step moves on, as Next does
    if (step < STEPS.length - 1) {
      next.click();
      return;
    }
    const created = await busy(save, errors, form, () => api.call('POST', '/engagement-claims', { body: body() }));
    if (created) {
      sessionStorage.setItem('cpor.notice', t('mci.registered', { n: created.body.claims.length }));
      ctx.go(`#/engagement-claims/${created.body.claims[0].id}`);
      return;
    }
    const invalid = form.querySelector('[aria-invalid="true"]');
    const at = containers.findIndex((c) => invalid && c.contains(invalid));
    if (at >= 0 && at !== step) show(at);
  };

  fill(form, containers, h('div', { class: 'actions' }, back, next, save));
  fill(main,
    h('p', {}, h('a', { href: `#/engagements/${encodeURIComponent(engagementId)}` }, t('mci.customersTitle', { name: current.name }))),
    h('h1', {}, heading),
    progress, errors, form);
  show(0);
}

export function usd(n) {
  return new Intl.NumberFormat(document.documentElement.lang, { style: 'currency', currency: 'USD', maximumFractionDigits: 0 }).format(n);
}
