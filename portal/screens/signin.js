// Signing in. Deployed: one button to the identity provider (OIDC code flow with PKCE).
// Locally: pick a role and an organisation; the local stack signs the token.

import * as auth from '../lib/auth.js';
import { h, field, select, values } from '../lib/dom.js';
import { busy, showProblem } from '../lib/forms.js';
import { t } from '../lib/i18n.js';

const ROLES = ['incentives_admin', 'incentives_user', 'global_admin', 'billing_admin', 'referral_admin', 'reviewer'];

export async function render(main, ctx) {
  ctx.title(t('signIn.title'));
  const errors = h('div', {});
  const failed = sessionStorage.getItem('cpor.signInError');
  if (failed) {
    sessionStorage.removeItem('cpor.signInError');
    showProblem(errors, null, new Error(t('signIn.failed', { reason: failed })));
  }
  if (ctx.config.auth?.kind === 'oidc') {
    const button = h('button', { type: 'button', class: 'primary' }, t('signIn.button'));
    button.onclick = () => busy(button, errors, null, () => auth.oidcSignIn(ctx.config.auth));
    main.replaceChildren(h('h1', {}, t('signIn.title')), h('p', {}, t('signIn.oidcNote')), errors, button);
    return;
  }
  const role = select(ROLES.map((r) => [r, t(`role.${r}`)]), { name: 'role', selected: 'incentives_admin' });
  const partner = h('input', { name: 'partnerId', value: '4812345', inputmode: 'numeric', autocomplete: 'off' });
  const name = h('input', { name: 'partnerName', value: 'Fabrikam Ltd', autocomplete: 'organization' });
  const button = h('button', { type: 'submit', class: 'primary' }, t('signIn.button'));
  const form = h('form', { novalidate: true },
    field(t('signIn.role'), role),
    field(t('signIn.partnerId'), partner, { hint: t('signIn.partnerIdHint') }),
    field(t('signIn.partnerName'), name),
    h('div', { class: 'actions' }, button));
  const sync = () => {
    const staff = role.value === 'reviewer';
    partner.disabled = staff;
    name.disabled = staff;
  };
  role.onchange = sync;
  form.onsubmit = async (e) => {
    e.preventDefault();
    const v = values(form);
    const done = await busy(button, errors, form, () => auth.devSignIn(v).then(() => true));
    if (done) ctx.go('#/claims');
  };
  main.replaceChildren(
    h('h1', {}, t('signIn.title')),
    h('p', { class: 'hint' }, t('signIn.devNote')),
    errors, form);
  sync();
}
