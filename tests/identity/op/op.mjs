// A real OpenID provider for Seamline's single sign-on tests (oidc-provider, certified).
// Environment: PORT, REDIRECT_URIS (Seamline's callback URLs, comma separated) and
// POST_LOGOUT_REDIRECT_URIS (its sign-in pages). Its built-in development pages accept any
// username and password; the username picks the account below.
import Provider from 'oidc-provider';

const port = Number(process.env.PORT || 9190);
const list = (value, fallback) => (value || fallback).split(',').filter(Boolean);
const redirectUris = list(process.env.REDIRECT_URIS, 'http://127.0.0.1:8000/oidc/callback/');
const postLogoutRedirectUris = list(process.env.POST_LOGOUT_REDIRECT_URIS, 'http://127.0.0.1:8000/accounts/login/');

// What the directory says of each person, by the username typed on the login page.
const ACCOUNTS = {
  lena: { email: 'lena@example.com', email_verified: true, name: 'Lena Lind', groups: ['seamline-leaders', 'Security'] },
  victor: { email: 'victor@example.com', email_verified: true, name: 'Victor Vale', groups: [] },
  mallory: { email: 'mallory@example.com', email_verified: false, name: 'Mallory Mint', groups: ['seamline-leaders'] },
  // Odd and hostile claims, for the plain tests.
  nomail: { email_verified: true, groups: [] },
  textverified: { email: 'textverified@example.com', email_verified: 'true', groups: 'seamline-leaders' },
  dictgroups: { email: 'dictgroups@example.com', email_verified: true, groups: { 'seamline-leaders': true } },
  nestedgroups: { email: 'nestedgroups@example.com', email_verified: true, groups: [['seamline-leaders'], 7, null, 'Security', 'x'.repeat(5000)] },
  hugegroups: { email: 'hugegroups@example.com', email_verified: true, groups: [...Array(50000).keys()].map((n) => `group-${n}`).concat(['seamline-leaders']) },
  nulemail: { email: 'nul\u0000mail@example.com', email_verified: true, groups: [] },
  listemail: { email: ['lena@example.com'], email_verified: true, groups: [] },
  shouty: { email: 'LENA@Example.COM', email_verified: true, groups: ['seamline-leaders'] },
};

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [{
    client_id: 'seamline',
    client_secret: 'seamline-test-secret',
    redirect_uris: redirectUris,
    post_logout_redirect_uris: postLogoutRedirectUris,
  }],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
    groups: ['groups'],
  },
  scopes: ['openid', 'email', 'profile', 'groups'],
  findAccount: async (ctx, id) => ({
    accountId: id,
    claims: async () => ({
      sub: id,
      ...(ACCOUNTS[id] || { email: `${id}@example.com`, email_verified: true, groups: [] }),
    }),
  }),
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  pkce: { required: () => true },
});
provider.proxy = false;

provider.listen(port, '127.0.0.1', () => console.log(`listening on ${port}`));
