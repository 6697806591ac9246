// A claim's page: its status (labelled by the API in the reader's language) and why, its
// deadlines, what it claims, its proof of execution (upload from the browser through the
// presigned PUT, download), the actions the catalogue says this status allows for this role,
// comments and history.

import * as api from '../lib/api.js';
import { h, fill, field, checkbox } from '../lib/dom.js';
import { showProblem, busy } from '../lib/forms.js';
import { section, actionForm, done, takeNotice } from '../lib/page.js';
import { t, label, when, bytes } from '../lib/i18n.js';

function reasonLabel(catalogue, code) {
  return label(catalogue.reasons.find((r) => r.code === code)?.labels) || code;
}

function reasonsPicker(catalogue, codes, name) {
  return h('fieldset', { 'data-field': 'reasons' }, h('legend', {}, t('review.reasons')),
    codes.map((code) => checkbox(reasonLabel(catalogue, code), { name, value: code })));
}

function checked(form, name) {
  return [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((i) => i.value);
}

function textarea(name, attrs = {}) {
  return h('textarea', { name, rows: 3, ...attrs });
}

export async function render(main, ctx) {
  const [id] = ctx.params;
  const reviewer = ctx.user.reviewer;
  const { body: claim, version } = await api.call('GET', `/claims/${id}`);
  const status = ctx.catalogue.statuses.find((s) => s.code === claim.status);
  const may = new Set(reviewer ? status.reviewerActions : status.partnerActions);
  const name = claim.name ?? t('claims.unnamed');
  ctx.title(name);

  const notice = takeNotice();

  // --- status, reasons, deadlines
  const overdue = claim.dueAt && Date.parse(claim.dueAt) < Date.now();
  const summary = h('dl', { class: 'facts' },
    h('dt', {}, t('claim.status')), h('dd', {}, h('span', { class: 'status', id: 'claim-status' }, claim.statusLabel),
      claim.awaitingReviewer && reviewer ? [' ', h('span', { class: 'badge waiting' }, t('badge.awaitingReviewer'))] : null),
    reviewer ? [h('dt', {}, t('col.partner')), h('dd', {}, `${claim.partnerName} (${claim.partnerId})`)] : null,
    claim.dueAt ? [h('dt', {}, claim.deadline ? t(`deadline.${claim.deadline}`) : t('col.due')),
      h('dd', {}, when(claim.dueAt), overdue ? [' ', h('span', { class: 'badge overdue' }, t('badge.overdue'))] : null)] : null,
    claim.decisionDueAt ? [h('dt', {}, t('deadline.decision_sla')), h('dd', {}, when(claim.decisionDueAt))] : null,
    claim.submittedAt ? [h('dt', {}, t('claim.submittedAt')), h('dd', {}, when(claim.submittedAt))] : null,
    claim.consent ? [h('dt', {}, t('claim.consent')), h('dd', {}, t(`consent.${claim.consent}`))] : null);
  const reason = claim.statusReason ? h('div', {},
    h('h2', {}, t('claim.why')),
    h('ul', {}, claim.statusReason.reasons.map((r) => h('li', {}, h('strong', {}, r.label), r.description ? ` – ${r.description}` : ''))),
    claim.statusReason.comment ? h('blockquote', {}, claim.statusReason.comment) : null) : null;

  // --- what it claims
  const area = ctx.catalogue.solutionAreas.find((a) => a.code === claim.solutionArea);
  const role = area?.roles.find((r) => r.code === claim.partnerRole);
  const productName = (code) => area?.products.find((p) => p.code === code)?.name ?? code;
  const contact = (c) => (c ? `${c.name}${c.title ? `, ${c.title}` : ''} <${c.email}>` : '—');
  const details = section(t('claim.details'), [h('dl', { class: 'facts' },
    h('dt', {}, t('form.area')), h('dd', {}, area ? label(area.labels) : '—'),
    h('dt', {}, t('form.role')), h('dd', {}, role ? label(role.labels) : '—'),
    h('dt', {}, t('form.location')), h('dd', {}, claim.partnerLocationId ?? '—'),
    h('dt', {}, t('form.tenantId')), h('dd', {}, claim.customer?.tenantId ?? '—'),
    h('dt', {}, t('form.domain')), h('dd', {}, claim.customer?.domain ?? '—'),
    h('dt', {}, t('form.workloads')), h('dd', {}, (claim.products ?? []).map((p) => (p.subscriptionId ? `${productName(p.product)} (${p.subscriptionId})` : productName(p.product))).join(', ') || '—'),
    h('dt', {}, t('form.customerContact')), h('dd', {}, contact(claim.customerContact)),
    h('dt', {}, t('form.partnerContact')), h('dd', {}, contact(claim.partnerContact)))]);

  // --- proof of execution
  const poeErrors = h('div', {});
  const poeRows = claim.poe.map((p) => {
    const download = h('button', { type: 'button' }, t('poe.download'));
    download.setAttribute('aria-label', t('poe.downloadFile', { file: p.fileName }));
    download.onclick = async () => {
      // a short-lived URL to the document, served as an attachment: the page stays
      const r = await busy(download, poeErrors, null, () => api.call('GET', `/claims/${id}/poe/${p.poeId}`));
      if (r) location.assign(r.body.url);
    };
    // a document a submission stood on stays (the API refuses its removal)
    const remove = may.has('remove_poe') && !p.submittedAt ? h('button', { type: 'button', class: 'danger' }, t('poe.remove')) : null;
    if (remove) {
      remove.setAttribute('aria-label', t('poe.removeFile', { file: p.fileName }));
      remove.onclick = () => busy(remove, poeErrors, null, async () => {
        await api.call('DELETE', `/claims/${id}/poe/${p.poeId}`);
        done(ctx, t('poe.removed', { file: p.fileName }));
      });
    }
    return h('tr', {}, h('td', {}, p.fileName), h('td', {}, bytes(p.sizeBytes)), h('td', {}, when(p.addedAt)),
      h('td', {}, h('div', { class: 'actions' }, download, remove)));
  });
  const file = h('input', { type: 'file', name: 'file', accept: '.pdf,.docx,.xlsx,.pptx,.png,.jpg,.jpeg,.msg,.eml,application/pdf' });
  const upload = may.has('add_poe') ? actionForm({
    name: 'add_poe',
    title: t('poe.upload'),
    fields: [field(t('poe.file'), file, { hint: t('poe.fileHint'), name: 'fileName' }),
      h('p', {}, h('a', { href: '#', id: 'poe-template' }, t('poe.template')))],
    button: t('poe.uploadButton'),
    run: async (form, key) => {
      const chosen = file.files[0];
      if (!chosen) throw Object.assign(new Error(t('poe.chooseFile')), { fields: [{ field: 'fileName', message: t('poe.chooseFile') }] });
      const declared = await api.call('POST', `/claims/${id}/poe`, {
        key,
        body: { fileName: chosen.name, contentType: chosen.type || 'application/octet-stream', sizeBytes: chosen.size, sha256: await api.sha256Hex(chosen) },
      });
      await api.upload(declared.body, chosen);
      done(ctx, t('poe.uploaded', { file: chosen.name }));
    },
  }) : null;
  upload?.querySelector('#poe-template')?.addEventListener('click', async (e) => {
    e.preventDefault();
    const r = await api.call('GET', '/poe-template', { accept: 'text/markdown' });
    const link = h('a', { href: URL.createObjectURL(new Blob([r.body], { type: 'text/markdown' })), download: 'proof-of-execution-template.md' });
    document.body.append(link);
    link.click();
    link.remove();
  });
  const poe = section(t('poe.title'), [poeErrors,
    claim.poe.length
      ? h('table', {}, h('thead', {}, h('tr', {}, [t('poe.fileName'), t('poe.size'), t('poe.added'), t('poe.actions')].map((x) => h('th', { scope: 'col' }, x)))), h('tbody', {}, poeRows))
      : h('p', {}, t('poe.none')),
    upload]);

  // --- the actions this status allows
  const actions = [];
  const command = (path, body, message, key) => api.call('POST', `/claims/${id}/${path}`, { body, version, key })
    .then(() => done(ctx, message));
  if (!reviewer && may.has('edit')) {
    actions.push(h('p', {}, h('a', { class: 'button', href: `#/claims/${id}/edit` }, t('action.edit'))));
  }
  for (const submitAction of ['submit', 'resubmit']) {
    if (!may.has(submitAction)) continue;
    actions.push(actionForm({
      name: submitAction,
      title: t(`action.${submitAction}`),
      fields: [
        h('fieldset', { 'data-field': 'acknowledgements' }, h('legend', {}, t('submit.acknowledgements')),
          checkbox(t('submit.accurate'), { name: 'informationAccurate' }),
          checkbox(t('submit.authorized'), { name: 'customerAuthorized' })),
        field(t('comments.comment'), textarea('comment'), { name: 'comment' })],
      button: t(`action.${submitAction}`),
      run: (form, key) => command('submit', {
        acknowledgements: {
          informationAccurate: form.elements.informationAccurate.checked,
          customerAuthorized: form.elements.customerAuthorized.checked,
        },
        ...(form.elements.comment.value.trim() ? { comment: form.elements.comment.value.trim() } : {}),
      }, t('submit.done'), key),
    }));
  }
  if (may.has('resend_consent') && !reviewer) {
    actions.push(actionForm({
      name: 'resend_consent',
      title: t('action.resend_consent'), button: t('consent.resend'),
      fields: [h('p', { class: 'hint' }, t('consent.resendHint'))],
      run: (_, key) => command('consent-email', undefined, t('consent.resent'), key),
    }));
  }
  const reasonAction = (action, path, message, danger) => actionForm({
    name: action,
    title: t(`action.${action}`), button: t(`action.${action}`), danger,
    fields: [field(t('action.reason'), textarea('reason'), { name: 'reason' })],
    run: (form, key) => command(path, { reason: form.elements.reason.value.trim() }, message, key),
  });
  if (may.has('withdraw')) actions.push(reasonAction('withdraw', 'withdraw', t('done.withdraw'), true));
  if (may.has('disassociate')) actions.push(reasonAction('disassociate', 'disassociate', t('done.disassociate'), true));
  if (may.has('dispute')) {
    actions.push(actionForm({
      name: 'dispute',
      title: t('action.dispute'), button: t('action.dispute'),
      fields: [field(t('dispute.justification'), textarea('justification'), { name: 'justification' }),
        claim.poe.length ? h('fieldset', { 'data-field': 'poeIds' }, h('legend', {}, t('dispute.poe')),
          claim.poe.map((p) => checkbox(p.fileName, { name: 'poeIds', value: p.poeId }))) : null],
      run: (form, key) => command('dispute', { justification: form.elements.justification.value.trim(), poeIds: checked(form, 'poeIds') }, t('done.dispute'), key),
    }));
  }
  if (may.has('cancel')) {
    const cancel = h('button', { type: 'button', class: 'danger' }, t('action.cancel'));
    const errors = h('div', {});
    cancel.onclick = () => {
      if (!window.confirm(t('cancel.confirm'))) return;
      busy(cancel, errors, null, async () => {
        await api.call('DELETE', `/claims/${id}`, { version });
        done(ctx, t('done.cancel'));
      });
    };
    const box = section(t('action.cancel'), [errors, cancel], 'h3');
    box.dataset.action = 'cancel';
    actions.push(box);
  }
  // a reviewer's decisions: the dispute's are the same review actions
  const review = (action, apiAction, reasons) => actionForm({
    name: action,
    title: t(`action.${action}`), button: t(`action.${action}`), danger: apiAction === 'reject',
    fields: [reasons ? reasonsPicker(ctx.catalogue, reasons, `reasons-${action}`) : null,
      field(t('comments.comment'), textarea('comment'), { name: 'comment' })],
    run: (form, key) => command('review', {
      action: apiAction,
      reasons: reasons ? checked(form, `reasons-${action}`) : [],
      ...(form.elements.comment.value.trim() ? { comment: form.elements.comment.value.trim() } : {}),
    }, t(`done.${action}`), key),
  });
  if (reviewer) {
    if (may.has('start_review')) actions.push(review('start_review', 'start'));
    if (may.has('approve')) actions.push(review('approve', 'approve'));
    if (may.has('approve_dispute')) actions.push(review('approve_dispute', 'approve'));
    if (may.has('request_info')) actions.push(review('request_info', 'request_info', ctx.catalogue.reviewerReasons.request_info));
    if (may.has('reject')) actions.push(review('reject', 'reject', ctx.catalogue.reviewerReasons.reject));
    if (may.has('reject_dispute')) actions.push(review('reject_dispute', 'reject', ctx.catalogue.reviewerReasons.reject));
  }

  // --- comments and history
  const comment = may.has('comment') ? actionForm({
    name: 'comment',
    title: t('comments.add'), button: t('comments.send'),
    fields: [field(t('comments.comment'), textarea('text'), { name: 'text' })],
    run: (form, key) => api.call('POST', `/claims/${id}/comments`, { body: { text: form.elements.text.value.trim() }, key })
      .then(() => done(ctx, t('comments.sent'))),
  }) : null;
  const historyList = h('ol', { class: 'history' });
  const historyMore = h('button', { type: 'button', hidden: true }, t('claims.more'));
  const historyErrors = h('div', {});
  let cursor;
  const actor = (a) => t(`actor.${a.kind}`);
  const loadHistory = async () => {
    const page = await api.call('GET', `/claims/${id}/history${api.query({ cursor, limit: '50' })}`);
    for (const e of page.body.items) {
      historyList.append(h('li', {},
        h('strong', {}, t(`history.${e.action}`)), ' · ', when(e.at), ' · ', actor(e.actor),
        reviewer && e.actor.user ? ` (${e.actor.user})` : '',
        e.reasons?.length ? h('div', {}, e.reasons.map((r) => reasonLabel(ctx.catalogue, r)).join(', ')) : null,
        e.comment ? h('blockquote', {}, e.comment) : null));
    }
    cursor = page.body.nextCursor;
    historyMore.hidden = !cursor;
  };
  historyMore.onclick = () => busy(historyMore, historyErrors, null, loadHistory);

  fill(main,
    h('p', {}, h('a', { href: '#/claims' }, reviewer ? t('nav.queues') : t('nav.claims'))),
    h('h1', {}, name),
    notice, summary, reason,
    actions.length ? section(t('claim.actions'), actions) : null,
    poe, details, comment ? section(t('comments.title'), comment) : null,
    section(t('claim.history'), [historyErrors, historyList, historyMore]));
  await loadHistory().catch((e) => showProblem(historyErrors, null, e));
}
