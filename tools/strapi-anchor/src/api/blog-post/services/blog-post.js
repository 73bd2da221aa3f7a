// The tutorial's organization-scoped service.  It goes through the core
// service's find (the document service, with pagination and its total)
// instead of the deprecated entityService.findMany, which would return
// every post of the organization at once, and it adds the organization to
// the caller's filters with $and so that no caller's filter can widen it.
const { createCoreService } = require('@strapi/strapi').factories;

module.exports = createCoreService('api::blog-post.blog-post', () => ({
  async findByOrganization(organizationId, params = {}) {
    const scope = { organizationId: { $eq: organizationId } };
    return super.find({
      ...params,
      filters: params.filters ? { $and: [params.filters, scope] } : scope,
    });
  },

  async createForOrganization(organizationId, data) {
    return strapi.documents('api::blog-post.blog-post').create({
      data: { ...data, organizationId },
    });
  },
}));
