// The tutorial's article routes.  Reads are for anyone, through the Public
// role's permissions (granted in src/index.js) rather than auth: false, so
// that a read pays the permission check the suite's reads pay too.  Writes
// keep the tutorial's is-authenticated policy; "auth: true" is not a valid
// route setting in Strapi v5 (the route validator refuses it at boot), and
// leaving auth unset already requires a role allowed the action.
const { createCoreRouter } = require('@strapi/strapi').factories;

module.exports = createCoreRouter('api::article.article', {
  config: {
    create: { policies: ['global::is-authenticated'] },
    update: { policies: ['global::is-authenticated'] },
    delete: { policies: ['global::is-authenticated'] },
  },
});
