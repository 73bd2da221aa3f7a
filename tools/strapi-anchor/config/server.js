module.exports = ({ env }) => ({
  host: env('HOST', '127.0.0.1'),
  port: env.int('PORT', 1337),
  app: {
    keys: env.array('APP_KEYS'),
  },
  // No look-up of newer Strapi versions on the npm registry at start.
  logger: {
    updates: { enabled: false },
  },
  // The local upload provider wants this folder to exist; make bench keeps
  // it in its scratch directory rather than in the checkout.
  dirs: {
    public: env('STRAPI_PUBLIC_DIR', './public'),
  },
});
