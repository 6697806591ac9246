// MCI engagements (seed 004): the catalogue of engagements the partner's locations may take
// part in, and one engagement's Customers page with its three tabs — Eligible (customers the
// partner knows, with the actions open to each), Not eligible (with the reasons), Complete
// (claims that ended with nothing pending).

import * as api from '../lib/api.js';
import { h, fill } from '../lib/dom.js';
import { showProblem } from '../lib/forms.js';
import { pagedTable } from '../lib/page.js';
import { t, label, day } from '../lib/i18n.js';

const TABS = ['eligible', 'not_eligible', 'complete'];

export function identifier(c) {
  return c ? `${t(`identifier.${c.identifierType}`)}: ${c.value}` : '';
}

export function engagementStatus(catalogue, code) {
  return label(catalogue.engagementStatuses.find((s) => s.code === code)?.labels) || code;
}

/** `#/engagements`: the catalogue. */
export async function renderCatalogue(main, ctx) {
  ctx.title(t('mci.title'));
  const { body } = await api.call('GET', '/engagements');
  const rows = body.items.map((e) => h('tr', {},
    h('th', { scope: 'row' }, h('a', { href: `#/engagements/${encodeURIComponent(e.id)}` }, e.name)),
    h('td', {}, t(`mci.pay.${e.payType}`)),
    h('td', {}, e.identifierTypes.map((i) => t(`identifier.${i}`)).join(', ')),
    h('td', {}, t('mci.days', { n: e.consentDays })),
    h('td', {}, t('mci.days', { n: e.submissionDays })),
    h('td', {}, e.eligibleLocationIds.join(', ') || t('mci.noLocation'))));
  fill(main,
    h('h1', {}, t('mci.title')),
    h('p', {}, t('mci.intro')),
    body.items.length
      ? h('table', {}, h('caption', {}, t('mci.caption')),
        h('thead', {}, h('tr', {}, [t('mci.engagement'), t('mci.payType'), t('mci.identifiers'), t('mci.consentWithin'), t('mci.submitWithin'), t('mci.locations')]
          .map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, rows))
      : h('p', {}, t('mci.none')));
}

/** `#/engagements/<id>?tab=`: the Customers page. */
export async function renderCustomers(main, ctx) {
  const [engagementId] = ctx.params;
  const tab = TABS.includes(ctx.query.get('tab')) ? ctx.query.get('tab') : 'eligible';
  const { body: catalogue } = await api.call('GET', '/engagements');
  const engagement = catalogue.items.find((e) => e.id === engagementId);
  if (!engagement) throw new Error(t('mci.unknown'));
  const title = t('mci.customersTitle', { name: engagement.name });
  ctx.title(`${title}: ${t(`mci.tab.${tab}`)}`);
  const base = `#/engagements/${encodeURIComponent(engagementId)}`;
  const nav = h('nav', { class: 'tabs', 'aria-label': t('mci.tabs') }, h('ul', {}, TABS.map((code) => h('li', {},
    h('a', { href: `${base}?tab=${code}`, 'aria-current': code === tab ? 'page' : null }, t(`mci.tab.${code}`))))));
  const complete = tab === 'complete';
  const claimLink = (c) => h('a', { href: `#/engagement-claims/${c.claimId ?? c.id}` }, c.name);
  const customerRow = (row) => h('tr', {},
    h('th', { scope: 'row' }, identifier(row.customer), row.known ? [' ', h('span', { class: 'badge' }, t('mci.known'))] : null),
    h('td', {}, row.claims.length ? h('ul', {}, row.claims.map((c) => h('li', {}, claimLink(c), ' – ',
      engagementStatus(ctx.catalogue, c.status), c.consentDueAt && c.status !== 'consented' ? ` (${t('mci.consentBy', { date: day(c.consentDueAt) })})` : ''))) : '—'),
    h('td', {}, tab === 'eligible'
      ? row.actions.map((a) => (a === 'claim_customer'
        ? h('a', { class: 'button', href: `${base}/add?source=claim&type=${row.customer.identifierType}&value=${encodeURIComponent(row.customer.value)}` }, t('mci.claimCustomer'))
        : null))
      : row.reasons?.map((r) => t(`ineligible.${r}`)).join(', ')));
  const completeRow = (c) => h('tr', {},
    h('th', { scope: 'row' }, claimLink(c)),
    h('td', {}, identifier(c.customer)),
    h('td', {}, engagementStatus(ctx.catalogue, c.status)),
    h('td', {}, day(c.updatedAt)));

  const { errors, table, empty, more, load } = pagedTable({
    caption: t(`mci.tab.${tab}`),
    headers: complete
      ? [t('col.name'), t('col.customer'), t('col.status'), t('mci.ended')]
      : [t('col.customer'), t('mci.claims'), tab === 'eligible' ? t('poe.actions') : t('mci.reasons')],
    emptyText: t('mci.emptyTab'),
    row: (item) => (complete ? completeRow(item) : customerRow(item)),
    fetchPage: async (cursor) => (await api.call('GET', `/engagements/${encodeURIComponent(engagementId)}/customers${api.query({ tab, cursor, limit: '20' })}`)).body,
  });
  fill(main,
    h('p', {}, h('a', { href: '#/engagements' }, t('mci.title'))),
    h('h1', {}, title),
    h('p', {}, h('a', { class: 'button primary', href: `${base}/add` }, t('nav.new'))),
    nav, errors, table, empty, more);
  try {
    await load();
  } catch (error) {
    showProblem(errors, null, error);
  }
}
