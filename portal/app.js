// The portal's shell: configuration, sign-in, the language, the header and the routes.
// Screens live in screens/*.js; each renders into <main> from the route and the catalogue.

import * as api from './lib/api.js';
import * as auth from './lib/auth.js';
import * as i18n from './lib/i18n.js';
import { h, fill } from './lib/dom.js';
import { t } from './lib/i18n.js';
import * as signIn from './screens/signin.js';
import * as claims from './screens/claims.js';
import * as claimForm from './screens/claim-form.js';
import * as claim from './screens/claim.js';
import * as engagements from './screens/engagements.js';
import * as engagementAdd from './screens/engagement-add.js';
import * as engagementClaim from './screens/engagement-claim.js';

const main = document.getElementById('main');
let config;
let catalogue;

/** [pattern, render(main, ctx), who may open it]: the first match renders. */
const ROUTES = [
  [/^\/sign-in$/, signIn.render, 'anyone'],
  [/^\/claims$/, claims.render, 'signed-in'],
  [/^\/claims\/new$/, claimForm.render, 'partner'],
  [/^\/claims\/([\w-]+)\/edit$/, claimForm.render, 'partner'],
  [/^\/claims\/([\w-]+)$/, claim.render, 'signed-in'],
  [/^\/engagements$/, engagements.renderCatalogue, 'partner'],
  [/^\/engagements\/([\w.-]+)$/, engagements.renderCustomers, 'partner'],
  [/^\/engagements\/([\w.-]+)\/add$/, engagementAdd.render, 'partner'],
  [/^\/engagement-claims\/([\w-]+)$/, engagementClaim.render, 'signed-in'],
  [/^\/engagement-reviews$/, engagementClaim.renderQueue, 'reviewer'],
];

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/claims';
  const [path, q] = raw.split('?');
  return { path, query: new URLSearchParams(q ?? '') };
}

function header(user) {
  document.getElementById('skip-link').textContent = t('skip');
  document.getElementById('brand').textContent = t('brand');
  document.getElementById('language-label').textContent = t('language');
  const { path } = parseHash();
  const here = (p) => path === p || path.startsWith(`${p}/`) || (p === '/engagements' && path.startsWith('/engagement-'));
  const link = (href, text) => h('li', {}, h('a', { href, 'aria-current': here(href.slice(1)) ? 'page' : null }, text));
  fill(document.getElementById('nav'), user ? h('ul', {},
    link('#/claims', user.reviewer ? t('nav.queues') : t('nav.claims')),
    user.reviewer ? link('#/engagement-reviews', t('nav.engagementReviews')) : link('#/engagements', t('nav.engagements'))) : null);
  fill(document.getElementById('who'), user
    ? [h('span', {}, user.reviewer ? t('who.reviewer') : t('who.partner', { name: user.partner_name ?? user.partner_id })),
      h('button', { type: 'button', onclick: () => { auth.signOut(); go('#/sign-in'); } }, t('signOut'))]
    : null);
}

export function go(hash) {
  if (location.hash === hash) render();
  else location.hash = hash;
}

let generation = 0;

async function render() {
  // a render that a newer one overtook (a click, then the language changed) shows nothing
  generation += 1;
  const mine = generation;
  const user = auth.claims();
  const { path, query } = parseHash();
  header(user);
  const match = ROUTES.map(([re, screen, who]) => [path.match(re), screen, who]).find(([m]) => m);
  if (!match) return go('#/claims');
  const [m, screen, who] = match;
  if (who !== 'anyone' && !user) return go('#/sign-in');
  if (who === 'partner' && user.reviewer) return go('#/claims');
  if (who === 'reviewer' && !user.reviewer) return go('#/claims');
  const ctx = {
    config, catalogue, user, query, params: m.slice(1), go,
    title(text) {
      document.title = `${text} – ${t('brand')}`;
    },
  };
  main.setAttribute('aria-busy', 'true');
  delete main.dataset.shown;
  fill(main, h('p', { role: 'status' }, t('loading')));
  // the screen builds into a detached view, shown only if it is still the current render
  const view = h('div', {});
  try {
    await screen(view, ctx);
  } catch (error) {
    fill(view, h('h1', {}, t('error.title')), h('p', { role: 'alert' }, error.message));
  }
  if (mine !== generation) return;
  main.replaceChildren(...view.childNodes);
  main.removeAttribute('aria-busy');
  // which route the page shows, once it is whole (tests wait for it)
  main.dataset.shown = location.hash;
  const heading = main.querySelector('h1');
  if (heading) {
    heading.tabIndex = -1;
    heading.focus({ preventScroll: true });
  }
}

function languageSwitch() {
  const select = document.getElementById('language');
  fill(select, catalogue.languages.map((l) => h('option', { value: l.code, lang: l.code, selected: l.code === i18n.current() }, l.name)));
  select.onchange = async () => {
    await i18n.use(select.value);
    render();
  };
}

async function boot() {
  [config, catalogue] = await Promise.all([
    fetch('config.json').then((r) => r.json()),
    fetch('catalogue.json').then((r) => r.json()),
  ]);
  api.configure(config.apiBase ?? '');
  await i18n.use(i18n.preferred());
  if (config.auth?.kind === 'oidc') {
    // back from the identity provider: a failed exchange is said on the sign-in page
    await auth.oidcCallback(config.auth).catch((e) => sessionStorage.setItem('cpor.signInError', e.message));
  }
  languageSwitch();
  window.addEventListener('hashchange', render);
  render();
}

boot();
