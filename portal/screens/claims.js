// The claim lists: a partner's dashboard (every status, newest first or by due date) and a
// reviewer's queues (one status at a time, earliest deadline first, with the claims waiting
// for a reviewer flagged). Filters are the API's (GET /claims); CSV export asks the same list
// as text/csv.

import * as api from '../lib/api.js';
import { h, fill, field, checkbox, select } from '../lib/dom.js';
import { showProblem, busy } from '../lib/forms.js';
import { pagedTable } from '../lib/page.js';
import { t, label, day } from '../lib/i18n.js';

const PARTNER_TABS = ['', 'open', 'draft', 'submitted', 'under_review', 'partner_action_required', 'active', 'rejected', 'complete'];
const REVIEWER_TABS = ['submitted', 'under_review', 'disputed', 'partner_action_required', 'approved'];

function tabLabel(catalogue, code) {
  if (code === '') return t('tab.all');
  if (code === 'open' || code === 'complete') return t(`tab.${code}`);
  return label(catalogue.statuses.find((s) => s.code === code)?.labels);
}

function hashFor(params) {
  return `#/claims${api.query(params)}`;
}

export async function render(main, ctx) {
  const reviewer = ctx.user.reviewer;
  const tabs = reviewer ? REVIEWER_TABS : PARTNER_TABS;
  const q = ctx.query;
  const params = {
    status: q.get('status') ?? tabs[0],
    namePrefix: q.get('namePrefix') ?? '',
    domain: q.get('domain') ?? '',
    tenantId: q.get('tenantId') ?? '',
    overdue: q.get('overdue') === 'true' ? 'true' : '',
    sort: reviewer ? 'dueAt' : (q.get('sort') ?? '-createdAt'),
  };
  const title = reviewer ? t('queue.title') : t('claims.title');
  ctx.title(`${title}: ${tabLabel(ctx.catalogue, params.status)}`);

  const nav = h('nav', { class: 'tabs', 'aria-label': t('claims.tabs') }, h('ul', {}, tabs.map((code) => h('li', {},
    h('a', { href: hashFor({ ...params, status: code }), 'aria-current': code === params.status ? 'page' : null },
      tabLabel(ctx.catalogue, code))))));

  const namePrefix = h('input', { name: 'namePrefix', value: params.namePrefix, type: 'search' });
  const domain = h('input', { name: 'domain', value: params.domain, type: 'search' });
  const tenant = h('input', { name: 'tenantId', value: params.tenantId, type: 'search', spellcheck: 'false' });
  const overdue = checkbox(t('filter.overdue'), { name: 'overdue', checked: params.overdue === 'true' });
  const sort = reviewer ? null : select([['-createdAt', t('sort.newest')], ['dueAt', t('sort.due')]], { name: 'sort', selected: params.sort });
  const filters = h('form', { class: 'filters', role: 'search', 'aria-label': t('filter.label') },
    field(t('filter.name'), namePrefix),
    field(t('filter.domain'), domain),
    field(t('form.tenantId'), tenant),
    sort ? field(t('sort.label'), sort) : null,
    h('div', {}, overdue),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('filter.apply'))));
  filters.onsubmit = (e) => {
    e.preventDefault();
    ctx.go(hashFor({
      ...params,
      namePrefix: namePrefix.value.trim(),
      domain: domain.value.trim(),
      tenantId: tenant.value.trim(),
      overdue: overdue.querySelector('input').checked ? 'true' : '',
      sort: sort ? sort.value : params.sort,
    }));
  };

  const exportButton = h('button', { type: 'button', 'data-export': 'csv' }, t('claims.export'));
  const now = Date.now();

  const row = (c) => {
    const overdueNow = c.dueAt && Date.parse(c.dueAt) < now;
    return h('tr', {},
      h('th', { scope: 'row' }, h('a', { href: `#/claims/${c.id}` }, c.name ?? t('claims.unnamed'))),
      h('td', {}, c.customer?.domain ?? c.customer?.tenantId ?? ''),
      reviewer ? h('td', {}, c.partnerName) : null,
      h('td', {}, h('span', { class: 'status' }, c.statusLabel),
        c.awaitingReviewer ? [' ', h('span', { class: 'badge waiting' }, t('badge.awaitingReviewer'))] : null),
      h('td', {}, c.dueAt ? day(c.dueAt) : '—', overdueNow ? [' ', h('span', { class: 'badge overdue' }, t('badge.overdue'))] : null),
      h('td', {}, day(c.createdAt)));
  };

  const listParams = () => ({ ...params, status: params.status || undefined });
  const { errors, table, empty, more, load } = pagedTable({
    caption: t('claims.caption', { tab: tabLabel(ctx.catalogue, params.status) }),
    headers: [t('col.name'), t('col.customer'), reviewer ? t('col.partner') : null, t('col.status'), t('col.due'), t('col.created')]
      .filter(Boolean),
    emptyText: t('claims.empty'),
    row,
    fetchPage: async (cursor) => (await api.call('GET', `/claims${api.query({ ...listParams(), cursor, limit: '20' })}`)).body,
  });
  exportButton.onclick = () => busy(exportButton, errors, null, async () => {
    const r = await api.call('GET', `/claims${api.query(listParams())}`, { accept: 'text/csv' });
    const link = h('a', { href: URL.createObjectURL(new Blob([r.body], { type: 'text/csv' })), download: 'claims.csv' });
    document.body.append(link);
    link.click();
    link.remove();
  });

  fill(main,
    h('h1', {}, title),
    reviewer ? null : h('p', {}, h('a', { class: 'button primary', href: '#/claims/new' }, t('nav.new'))),
    nav, filters, errors,
    h('div', { class: 'actions' }, exportButton),
    table, empty, more);
  try {
    await load();
  } catch (error) {
    showProblem(errors, filters, error);
  }
}
