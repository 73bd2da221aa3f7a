// The tutorial's organization-scoped controller.  A signed-in member reads
// the posts of their organization; anyone else reads published posts.
// Unlike the tutorial's, the member's answer is validated, sanitized and
// carries meta.pagination, as Strapi's own find does.
const { createCoreController } = require('@strapi/strapi').factories;

module.exports = createCoreController('api::blog-post.blog-post', ({ strapi }) => ({
  async find(ctx) {
    const organizationId = ctx.state.user?.organizationId;
    if (!organizationId) {
      // No organization: published posts only.
      const filters = ctx.query?.filters;
      const published = { status: { $eq: 'published' } };
      ctx.query = { ...ctx.query, filters: filters ? { $and: [filters, published] } : published };
      return super.find(ctx);
    }
    await this.validateQuery(ctx);
    const query = await this.sanitizeQuery(ctx);
    const { results, pagination } = await strapi
      .service('api::blog-post.blog-post')
      .findByOrganization(organizationId, query);
    const data = await this.sanitizeOutput(results, ctx);
    return this.transformResponse(data, { pagination });
  },
}));
