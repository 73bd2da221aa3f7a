// Bootstrap: the Public and Authenticated roles may read articles and blog
// posts, granted here at every start rather than by hand in the admin panel.
const READS = [
  'api::article.article.find',
  'api::article.article.findOne',
  'api::blog-post.blog-post.find',
  'api::blog-post.blog-post.findOne',
];

module.exports = {
  register() {},

  async bootstrap({ strapi }) {
    const roles = strapi.db.query('plugin::users-permissions.role');
    const permissions = strapi.db.query('plugin::users-permissions.permission');
    for (const type of ['public', 'authenticated']) {
      const role = await roles.findOne({ where: { type } });
      if (!role) throw new Error(`users-permissions role "${type}" is missing`);
      for (const action of READS) {
        const have = await permissions.findOne({ where: { action, role: role.id } });
        if (!have) await permissions.create({ data: { action, role: role.id } });
      }
    }
  },
};
