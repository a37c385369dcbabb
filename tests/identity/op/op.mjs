// A real OpenID provider for Seamline's single sign-on tests (oidc-provider, certified).
// Environment: PORT, REDIRECT_URI (Seamline's callback), POST_LOGOUT_REDIRECT_URI (its
// sign-in page). Its built-in development pages accept any username and password.
import Provider from 'oidc-provider';

const port = Number(process.env.PORT || 9190);
const redirectUri = process.env.REDIRECT_URI || 'http://127.0.0.1:8000/oidc/callback/';
const postLogoutRedirectUri = process.env.POST_LOGOUT_REDIRECT_URI || 'http://127.0.0.1:8000/accounts/login/';

// What the directory says of each person, by the username typed on the login page.
const ACCOUNTS = {
  lena: { email: 'lena@example.com', email_verified: true, name: 'Lena Lind', groups: ['seamline-leaders', 'Security'] },
  victor: { email: 'victor@example.com', email_verified: true, name: 'Victor Vale', groups: [] },
  mallory: { email: 'mallory@example.com', email_verified: false, name: 'Mallory Mint', groups: ['seamline-leaders'] },
};

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [{
    client_id: 'seamline',
    client_secret: 'seamline-test-secret',
    redirect_uris: [redirectUri],
    post_logout_redirect_uris: [postLogoutRedirectUri],
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
    claims: async () => ({ sub: `sub-${id}`, ...(ACCOUNTS[id] || { email: `${id}@example.com`, email_verified: true, groups: [] }) }),
  }),
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  pkce: { required: () => true },
});
provider.proxy = false;

provider.listen(port, '127.0.0.1', () => console.log(`listening on ${port}`));
