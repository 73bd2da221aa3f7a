// The tutorial's login: a redirect to AuthKit, the URL built by the WorkOS
// SDK (no call to WorkOS).  The callback is not part of the anchor (it needs
// WorkOS itself).
const { WorkOS } = require('@workos-inc/node');

const workos = new WorkOS(process.env.WORKOS_API_KEY, {
  clientId: process.env.WORKOS_CLIENT_ID,
});

module.exports = {
  async login(ctx) {
    const { organization } = ctx.query;
    const params = {
      provider: 'authkit',
      redirectUri: process.env.WORKOS_REDIRECT_URI,
      clientId: process.env.WORKOS_CLIENT_ID,
    };
    if (typeof organization === 'string' && organization) {
      params.organization = organization;
    }
    ctx.redirect(workos.userManagement.getAuthorizationUrl(params));
  },
};
