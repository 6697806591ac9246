// An MCI engagement claim's page: its status and deadlines, what was registered, the consent
// request (contacts reviewed one last time, the estimated deal size, the disclaimer), resend,
// submit and cancel as the status allows (catalogue: engagementStatuses[].partnerActions), a
// reviewer's approval or rejection, and the history. Also the reviewers' queue of submitted
// engagement claims.

import * as api from '../lib/api.js';
import { h, fill, field, checkbox } from '../lib/dom.js';
import { showProblem, busy } from '../lib/forms.js';
import { section, actionForm, done, takeNotice, pagedTable } from '../lib/page.js';
import { t, when, day, languages } from '../lib/i18n.js';
import { identifier, engagementStatus } from './engagements.js';
import { usd } from './engagement-add.js';

function contactFields(prefix, c, withTitle) {
  const input = (n, v, attrs = {}) => h('input', { name: `${prefix}.${n}`, value: v ?? '', autocomplete: 'off', ...attrs });
  const lang = h('select', { name: `${prefix}.language` },
    h('option', { value: '' }, t('form.languageDefault')),
    languages.map((l) => h('option', { value: l, selected: (c.language ?? '').startsWith(l) }, t(`lang.${l}`))));
  return [
    field(t('form.contactName'), input('name', c.name), { name: `${prefix}.name` }),
    withTitle ? field(t('form.contactTitle'), input('title', c.title), { name: `${prefix}.title` }) : null,
    field(t('form.contactEmail'), input('email', c.email, { type: 'email' }), { name: `${prefix}.email` }),
    field(t('form.contactLanguage'), lang, { name: `${prefix}.language` }),
  ];
}

function contactOf(form, prefix, withTitle) {
  const v = (n) => form.elements[`${prefix}.${n}`]?.value.trim() ?? '';
  return {
    name: v('name'), email: v('email'),
    ...(withTitle && v('title') ? { title: v('title') } : {}),
    ...(v('language') ? { language: v('language') } : {}),
  };
}

export async function render(main, ctx) {
  const [id] = ctx.params;
  const reviewer = ctx.user.reviewer;
  const { body: claim, version } = await api.call('GET', `/engagement-claims/${id}`);
  const status = ctx.catalogue.engagementStatuses.find((s) => s.code === claim.status);
  const may = new Set(reviewer ? [] : status.partnerActions);
  ctx.title(claim.name);

  const notice = takeNotice();
  const facts = h('dl', { class: 'facts' },
    h('dt', {}, t('claim.status')), h('dd', {}, h('span', { class: 'status', id: 'claim-status' }, engagementStatus(ctx.catalogue, claim.status))),
    h('dt', {}, t('mci.engagement')), h('dd', {}, `${claim.engagementName} (${t(`mci.pay.${claim.payType}`)})`),
    h('dt', {}, t('col.customer')), h('dd', {}, identifier(claim.customer)),
    reviewer ? [h('dt', {}, t('col.partner')), h('dd', {}, `${claim.partnerName ?? ''} (${claim.partnerId})`)] : null,
    h('dt', {}, t('form.location')), h('dd', {}, claim.partnerLocationId),
    ['registered', 'consent_requested'].includes(claim.status) ? [h('dt', {}, t('mci.consentDue')), h('dd', {}, when(claim.consentDueAt))] : null,
    claim.submissionDueAt && claim.status === 'consented' ? [h('dt', {}, t('mci.submissionDue')), h('dd', {}, when(claim.submissionDueAt))] : null,
    claim.submittedAt ? [h('dt', {}, t('claim.submittedAt')), h('dd', {}, when(claim.submittedAt))] : null,
    claim.plannedHours ? [h('dt', {}, t('mci.plannedHours')), h('dd', {}, String(claim.plannedHours))] : null,
    claim.proposedPaymentUsd !== null && claim.proposedPaymentUsd !== undefined ? [h('dt', {}, t('mci.proposedPayment')), h('dd', {}, usd(claim.proposedPaymentUsd))] : null,
    claim.estimatedDealSizeUsd !== null && claim.estimatedDealSizeUsd !== undefined ? [h('dt', {}, t('mci.dealSize')), h('dd', {}, usd(claim.estimatedDealSizeUsd))] : null,
    claim.referral ? [h('dt', {}, t('mci.referral')), h('dd', {}, t(`mci.referral.${claim.referral.type}`))] : null,
    claim.rejectionReasons?.length ? [h('dt', {}, t('mci.reasons')), h('dd', {}, claim.rejectionReasons.join(', '))] : null,
    h('dt', {}, t('form.customerContact')), h('dd', {}, `${claim.customerContact.name} <${claim.customerContact.email}>`),
    h('dt', {}, t('form.partnerContact')), h('dd', {}, `${claim.partnerContact.name} <${claim.partnerContact.email}>`));

  const actions = [];
  const post = (path, body, message, key) => api.call('POST', `/engagement-claims/${id}/${path}`, { body, version, key })
    .then(() => done(ctx, message));
  if (may.has('send_consent_email')) {
    actions.push(actionForm({
      name: 'send_consent_email', title: t('mci.sendConsent'), button: t('mci.sendConsent'),
      fields: [
        h('p', { class: 'hint' }, t('mci.sendConsentHint')),
        h('fieldset', { 'data-field': 'customerContact' }, h('legend', {}, t('form.customerContact')), contactFields('customerContact', claim.customerContact, true)),
        h('fieldset', { 'data-field': 'partnerContact' }, h('legend', {}, t('form.partnerContact')), contactFields('partnerContact', claim.partnerContact, false)),
        field(t('mci.dealSize'), h('input', { name: 'estimatedDealSizeUsd', type: 'number', min: '0', step: '1', inputmode: 'numeric' }),
          { name: 'estimatedDealSizeUsd', hint: t('mci.dealSizeHint') }),
        h('div', { 'data-field': 'disclaimerAccepted' }, checkbox(t('mci.disclaimer'), { name: 'disclaimerAccepted' })),
      ],
      run: (form, key) => post('consent-request', {
        customerContact: contactOf(form, 'customerContact', true),
        partnerContact: contactOf(form, 'partnerContact', false),
        ...(form.elements.estimatedDealSizeUsd.value !== '' ? { estimatedDealSizeUsd: Number(form.elements.estimatedDealSizeUsd.value) } : {}),
        disclaimerAccepted: form.elements.disclaimerAccepted.checked,
      }, t('mci.consentSent'), key),
    }));
  }
  if (may.has('resend_consent_email')) {
    actions.push(actionForm({
      name: 'resend_consent_email', title: t('action.resend_consent'), button: t('consent.resend'),
      fields: [h('p', { class: 'hint' }, t('mci.resendHint'))],
      run: (_, key) => post('consent-email', undefined, t('consent.resent'), key),
    }));
  }
  if (may.has('submit')) {
    actions.push(actionForm({
      name: 'submit', title: t('action.submit'), button: t('action.submit'),
      fields: [field(t('comments.comment'), h('textarea', { name: 'comment', rows: 3 }), { name: 'comment' })],
      run: (form, key) => post('submit', form.elements.comment.value.trim() ? { comment: form.elements.comment.value.trim() } : {}, t('submit.doneMci'), key),
    }));
  }
  if (may.has('cancel')) {
    const errors = h('div', {});
    const cancel = h('button', { type: 'button', class: 'danger' }, t('mci.cancel'));
    cancel.onclick = () => {
      if (!window.confirm(t('mci.cancelConfirm'))) return;
      busy(cancel, errors, null, async () => {
        await api.call('DELETE', `/engagement-claims/${id}`, { version });
        done(ctx, t('mci.cancelled'));
      });
    };
    const box = section(t('mci.cancel'), [errors, cancel], 'h3');
    box.dataset.action = 'cancel';
    actions.push(box);
  }
  if (reviewer && status.reviewable) {
    const review = (action, withReasons) => actionForm({
      name: action, title: t(`action.${action}`), button: t(`action.${action}`), danger: action === 'reject',
      fields: [
        withReasons ? field(t('mci.reasonCodes'), h('input', { name: 'reasons', autocomplete: 'off', spellcheck: 'false' }), { name: 'reasons', hint: t('mci.reasonCodesHint') }) : null,
        field(t('comments.comment'), h('textarea', { name: 'comment', rows: 3 }), { name: 'comment' }),
      ],
      run: (form, key) => post('review', {
        action,
        ...(withReasons ? { reasons: form.elements.reasons.value.split(/[\s,]+/).filter(Boolean) } : {}),
        ...(form.elements.comment.value.trim() ? { comment: form.elements.comment.value.trim() } : {}),
      }, t(`done.${action}`), key),
    });
    actions.push(review('approve', false), review('reject', true));
  }

  const historyList = h('ol', { class: 'history' });
  const historyErrors = h('div', {});
  const historyMore = h('button', { type: 'button', hidden: true }, t('claims.more'));
  let cursor;
  const loadHistory = async () => {
    const page = await api.call('GET', `/engagement-claims/${id}/history${api.query({ cursor, limit: '50' })}`);
    for (const e of page.body.items) {
      historyList.append(h('li', {}, h('strong', {}, t(`engagementHistory.${e.action}`)), ' · ', when(e.at), ' · ', t(`actor.${e.actor.kind}`),
        e.comment ? h('blockquote', {}, e.comment) : null));
    }
    cursor = page.body.nextCursor;
    historyMore.hidden = !cursor;
  };
  historyMore.onclick = () => busy(historyMore, historyErrors, null, loadHistory);

  fill(main,
    h('p', {}, reviewer
      ? h('a', { href: '#/engagement-reviews' }, t('nav.engagementReviews'))
      : h('a', { href: `#/engagements/${encodeURIComponent(claim.engagementId)}` }, t('mci.customersTitle', { name: claim.engagementName }))),
    h('h1', {}, claim.name),
    notice, facts,
    actions.length ? section(t('claim.actions'), actions) : null,
    section(t('claim.history'), [historyErrors, historyList, historyMore]));
  await loadHistory().catch((e) => showProblem(historyErrors, null, e));
}

/** `#/engagement-reviews`: submitted engagement claims, oldest first (reviewers). */
export async function renderQueue(main, ctx) {
  ctx.title(t('nav.engagementReviews'));
  const { errors, table, empty, more, load } = pagedTable({
    caption: t('mci.queueCaption'),
    headers: [t('col.name'), t('mci.engagement'), t('col.customer'), t('col.partner'), t('claim.submittedAt')],
    emptyText: t('claims.empty'),
    row: (c) => h('tr', {},
      h('th', { scope: 'row' }, h('a', { href: `#/engagement-claims/${c.id}` }, c.name)),
      h('td', {}, c.engagementName), h('td', {}, identifier(c.customer)),
      h('td', {}, c.partnerName ?? c.partnerId), h('td', {}, day(c.submittedAt))),
    fetchPage: async (cursor) => (await api.call('GET', `/engagement-claims${api.query({ status: 'submitted', cursor, limit: '20' })}`)).body,
  });
  fill(main, h('h1', {}, t('nav.engagementReviews')), errors, table, empty, more);
  try {
    await load();
  } catch (error) {
    showProblem(errors, null, error);
  }
}
