// Reads only: the anchor measures reads.  find is not "auth: false" (as in
// the tutorial) because then Strapi never authenticates the caller and the
// member's branch of the controller could not be reached; anyone may find
// through the Public and Authenticated roles' permissions (src/index.js).
const { createCoreRouter } = require('@strapi/strapi').factories;

module.exports = createCoreRouter('api::blog-post.blog-post', {
  only: ['find', 'findOne'],
});
