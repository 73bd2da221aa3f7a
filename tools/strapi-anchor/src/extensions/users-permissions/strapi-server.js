// The WorkOS organization a user signed in through (the tutorial puts it in
// the JWT, but Strapi reloads the user from the database and never exposes a
// token's own claims, so it is kept on the user).  Private: never in answers.
module.exports = (plugin) => {
  plugin.contentTypes.user.schema.attributes.organizationId = {
    type: 'string',
    private: true,
    configurable: false,
  };
  return plugin;
};
