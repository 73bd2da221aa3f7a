// As the tutorial's config/plugins.js, with the JWT secret from the environment.
module.exports = ({ env }) => ({
  'users-permissions': {
    config: {
      jwtSecret: env('JWT_SECRET'),
      jwt: {
        expiresIn: '30d',
      },
    },
  },
});
